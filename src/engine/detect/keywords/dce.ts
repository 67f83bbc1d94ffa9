/**
 * DCE/RPC keywords (Suricata's detect-dce-iface.c, -opnum.c, -stub-data.c) over the 'dcerpc'
 * units the DCE/RPC analyzer builds per call (analyzers/dce-rpc/stub-units.ts):
 *   dce_iface:<uuid>[,<|>|=|!<version>][,any_frag]  the call's bound interface (and its major version)
 *   dce_opnum:<n>|<lo>-<hi>[,...]                     the request's operation number
 *   dce_stub_data;                                     sticky buffer: the call's stub, fragments joined
 * any_frag is accepted and has no effect: units are whole calls, never single fragments.
 */
import { KeywordError, parseInteger, splitArgs, type KeywordDescriptor } from './keyword.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type VersionTest = (v: number) => boolean;

function versionTest(text: string): VersionTest {
  const m = /^(<|>|=|!)\s*(\d+)$/.exec(text);
  if (!m) throw new KeywordError(`dce_iface: version must be <N, >N, =N or !N, got ${JSON.stringify(text)}`);
  const n = parseInteger(m[2], 'dce_iface version', 0, 65535);
  switch (m[1]) {
    case '<': return (v) => v < n;
    case '>': return (v) => v > n;
    case '!': return (v) => v !== n;
    default: return (v) => v === n;
  }
}

export const DCE_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'dce_iface',
    docs: 'uuid[,<|>|=|!version][,any_frag]: the DCE/RPC call is on this interface',
    value: 'required',
    parse(v, rule) {
      const [uuidText, ...rest] = splitArgs(v!);
      const uuid = uuidText.toLowerCase();
      if (!UUID.test(uuid)) throw new KeywordError(`dce_iface: ${JSON.stringify(uuidText)} is not a UUID`);
      let version: VersionTest | undefined;
      for (const part of rest) {
        if (part === 'any_frag') continue;
        if (version) throw new KeywordError(`dce_iface: unexpected ${JSON.stringify(part)}`);
        version = versionTest(part);
      }
      rule.factTests.push({
        keyword: 'dce_iface', unit: 'dcerpc',
        test: (f) => f?.iface === uuid && (version === undefined || (typeof f.iface_version === 'number' && version(f.iface_version))),
      });
    },
  },
  {
    name: 'dce_opnum',
    docs: 'N or LO-HI, comma-separated: the DCE/RPC call\'s operation number',
    value: 'required',
    parse(v, rule) {
      const ranges: [number, number][] = [];
      for (const part of splitArgs(v!)) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part);
        if (!m) throw new KeywordError(`dce_opnum: cannot read ${JSON.stringify(part)}`);
        const lo = parseInteger(m[1], 'dce_opnum', 0, 65535);
        const hi = m[2] === undefined ? lo : parseInteger(m[2], 'dce_opnum', 0, 65535);
        if (hi < lo) throw new KeywordError(`dce_opnum: range ${part} is empty`);
        ranges.push([lo, hi]);
      }
      rule.factTests.push({
        keyword: 'dce_opnum', unit: 'dcerpc',
        test: (f) => {
          const op = f?.opnum;
          return typeof op === 'number' && ranges.some(([lo, hi]) => op >= lo && op <= hi);
        },
      });
    },
  },
  {
    name: 'dce_stub_data',
    docs: 'sticky buffer: the DCE/RPC call\'s stub data',
    value: 'none',
    parse(_v, rule) { rule.setBuffer('dce.stub_data'); },
  },
];
