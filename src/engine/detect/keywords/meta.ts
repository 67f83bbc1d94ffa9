/** Rule metadata keywords: msg, sid, rev, gid, classtype, priority, reference, metadata, target. */
import { KeywordError, parseInteger, splitArgs, unquote, type KeywordDescriptor } from './keyword.js';

export const META_KEYWORDS: readonly KeywordDescriptor[] = [
  { name: 'msg', docs: 'the alert text', value: 'required', parse(v, r) { r.msg = unquote(v!, 'msg'); } },
  { name: 'sid', docs: 'signature id (required, unique per gid)', value: 'required', parse(v, r) { r.sid = parseInteger(v!, 'sid', 1, 0xffffffff); } },
  { name: 'rev', docs: 'revision of the rule', value: 'required', parse(v, r) { r.rev = parseInteger(v!, 'rev', 0, 0xffffffff); } },
  { name: 'gid', docs: 'group id (default 1)', value: 'required', parse(v, r) { r.gid = parseInteger(v!, 'gid', 0, 0xffffffff); } },
  {
    name: 'classtype',
    docs: 'class of the attack (classification.config), gives category and default priority',
    value: 'required',
    parse(v, r) {
      const name = v!.trim();
      if (!r.ctx.classifications.has(name)) throw new KeywordError(`unknown classtype ${JSON.stringify(name)}`);
      r.classtype = name;
    },
  },
  { name: 'priority', docs: 'severity 1 (highest) .. 255, overrides the classtype\'s', value: 'required', parse(v, r) { r.priority = parseInteger(v!, 'priority', 1, 255); } },
  {
    name: 'reference',
    docs: 'system,id (url, cve, md5, ...)',
    value: 'required',
    parse(v, r) {
      const at = v!.indexOf(',');
      if (at <= 0) throw new KeywordError('reference: expected system,value');
      r.references.push({ system: v!.slice(0, at).trim(), value: v!.slice(at + 1).trim() });
    },
  },
  {
    name: 'metadata',
    docs: 'key value pairs, comma separated',
    value: 'required',
    parse(v, r) {
      for (const part of splitArgs(v!)) {
        if (part === '') continue;
        const m = /^(\S+)\s*(.*)$/.exec(part)!;
        r.metadata.push([m[1], m[2]]);
      }
    },
  },
  {
    name: 'target',
    docs: 'which side is the target: src_ip or dest_ip',
    value: 'required',
    parse(v, r) {
      const t = v!.trim();
      if (t !== 'src_ip' && t !== 'dest_ip') throw new KeywordError('target: expected src_ip or dest_ip');
      r.target = t;
    },
  },
];
