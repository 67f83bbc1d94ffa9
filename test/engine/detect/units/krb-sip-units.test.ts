/** Kerberos and SIP inspection units on real captures, against tshark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap } from '../../../helpers.js';
import { record, text, tshark, values } from './recorder.js';

test('sip: each request gives sip.method / sip.uri / sip.user_agent as tshark', async () => {
  const file = pcap('sip.pcap');
  const { inspector } = await record(file, new Set(['sip']));
  const units = inspector.of('sip');
  const oracle = tshark(file, 'sip.Request-Line', 'sip.Method', 'sip.r-uri', 'sip.User-Agent');
  assert.ok(oracle.length > 0);
  assert.equal(units.length, oracle.length);
  oracle.forEach((line, i) => {
    const [method, uri, ua] = line.split('\t');
    assert.equal(text(units[i], 'sip.method'), method);
    assert.equal(text(units[i], 'sip.uri'), uri);
    assert.equal(text(units[i], 'sip.user_agent'), ua === '' ? undefined : ua);
  });
});

test('kerberos-login: TGS replies give krb5.cname / krb5.sname parts as tshark', async () => {
  const file = pcap('kerberos-login.pcap');
  const { inspector } = await record(file, new Set(['krb5']));
  const replies = inspector.of('krb5', false).filter((u) => u.facts?.msg_type === 13);
  const oracle = tshark(file, 'kerberos.msg_type == 13', 'kerberos.CNameString', 'kerberos.SNameString');
  assert.ok(oracle.length > 0);
  assert.equal(replies.length, oracle.length);
  oracle.forEach((line, i) => {
    const [cname, sname] = line.split('\t');
    assert.deepEqual(values(replies[i], 'krb5.cname'), cname.split('|'));
    assert.deepEqual(values(replies[i], 'krb5.sname'), sname.split(/[|,]/));
  });
  const requests = inspector.of('krb5', true);
  assert.ok(requests.length > 0);
  for (const r of requests) assert.ok(r.buffers['krb5.sname'] !== undefined);
});
