/**
 * irc.log over the shared captures, checked against tshark's IRC dissector (irc.request lines;
 * irc.pcap runs on TCP 8000, decoded with -d tcp.port==8000,irc): every client NICK, USER and
 * JOIN becomes the records Zeek writes, in order, with the time of the packet carrying it.
 *
 * Deliberate differences from a plain reading of the line (they are Zeek's):
 * - USER's real name is rebuilt as IRC.cc does: the first two words joined without a space, each
 *   later word followed by one ("Test User" -> "TestUser ", "A B C" -> "AB C ").
 * - A JOIN of several channels gives one record per channel; a key gives addl
 *   " with channel key: 'k'", none an empty addl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';

function tshark(file: string, args: string[], filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(file), ...args, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=\x1f', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

interface Expected { port: number; ts: number; command: string; value: string; addl?: string }

function expected(file: string, args: string[]): Expected[] {
  const out: Expected[] = [];
  for (const [sp, t, lines] of tshark(file, args, 'irc.request', ['tcp.srcport', 'frame.time_epoch', 'irc.request'])) {
    for (const line of lines.split('\x1f')) {
      const colon = line.indexOf(' :');
      const head = (colon >= 0 ? line.slice(0, colon) : line).split(' ').filter(Boolean);
      const trailer = colon >= 0 ? line.slice(colon + 2) : undefined;
      const ts = Number(t), port = Number(sp);
      const cmd = head[0]?.toUpperCase();
      if (cmd === 'NICK') out.push({ port, ts, command: 'NICK', value: head[1] ?? trailer ?? '' });
      else if (cmd === 'USER') {
        const words = (trailer ?? '').split(' ').filter(Boolean);
        const real = (words[0] ?? '') + words.slice(1).map((w) => w + ' ').join('');
        out.push({ port, ts, command: 'USER', value: head[1], addl: `${head[2]} ${head[3]} ${real}` });
      } else if (cmd === 'JOIN') {
        const chans = (head[1] ?? trailer ?? '').split(',');
        const keys = (head[2] ?? '').split(',');
        chans.forEach((c, i) => out.push({ port, ts, command: 'JOIN', value: c, addl: keys[i] ? ` with channel key: '${keys[i]}'` : '' }));
      }
    }
  }
  return out;
}

for (const [file, args] of [['irc.pcap', ['-d', 'tcp.port==8000,irc']], ['mixed-arkime-synthetic-many-protocols.pcap', []]] as const) {
  test(`${file}: irc.log agrees with tshark's IRC requests`, async () => {
    const { sink } = await run(pcap(file));
    const irc = sink.get('irc');
    const want = expected(file, [...args]);
    assert.ok(want.length > 0);
    assert.equal(irc.length, want.length);
    const nick = new Map<number, string>(), user = new Map<number, string>();
    want.forEach((w, i) => {
      const r = irc[i];
      assert.equal(r['id.orig_p'], w.port);
      assert.equal(r.command, w.command, `record ${i}`);
      assert.equal(r.value, w.value, `record ${i}`);
      if (w.addl !== undefined) assert.equal(r.addl, w.addl, `record ${i}`);
      assert.ok(Math.abs((r.ts as number) - w.ts) < 1e-6, `ts ${i}`);
      // the session state: nick and user of the commands before
      assert.equal(r.nick, nick.get(w.port));
      assert.equal(r.user, user.get(w.port));
      if (w.command === 'NICK') nick.set(w.port, w.value);
      if (w.command === 'USER') user.set(w.port, w.value);
    });
    const services = sink.get('conn').filter((c) => c.service === 'irc');
    assert.equal(services.length, new Set(want.map((w) => w.port)).size);
  });
}
