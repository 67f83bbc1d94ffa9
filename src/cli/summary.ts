/** The short summary printed after an analysis. */
import type { AnalysisResult } from '../engine/pipeline.js';

const MB = 1024 * 1024;

export function formatSummary(r: AnalysisResult, logCounts: Record<string, number>, bytesRead: number, seconds: number, outDir: string): string {
  const s = r.stats;
  const span = s.packets > 0 ? s.lastTs - s.firstTs : 0;
  const byProto = new Map<string, number>();
  for (const [k, n] of Object.entries(s.connsByProtoState)) {
    const proto = k.split(' ')[0];
    byProto.set(proto, (byProto.get(proto) ?? 0) + n);
  }
  const states = Object.entries(s.connsByProtoState).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [
    `capture      ${r.capture.format}${r.capture.gzip ? ' (gzip)' : ''}, link types ${r.capture.reader.info.linkTypes.join(', ') || '-'}${r.capture.reader.info.stoppedEarly ? ', read stopped early (see weird.log)' : ''}`,
    `packets      ${s.packets.toLocaleString('en-US')} (${(s.capturedBytes / MB).toFixed(2)} MB captured, ${span.toFixed(3)} s of traffic)`,
    `connections  ${s.connections.toLocaleString('en-US')}${byProto.size ? ' — ' + [...byProto].map(([p, n]) => `${p} ${n}`).join(', ') : ''}`,
    ...(states ? [`  by state   ${states}`] : []),
    `tunnels      ${logCounts.tunnel ?? 0} tunnel.log records`,
    `weirds       ${s.weirds.toLocaleString('en-US')} (${logCounts.weird ?? 0} logged)`,
    ...alertLines(s.alerts, s.alertSignatures),
    `time         ${seconds.toFixed(2)} s, ${(bytesRead / MB / Math.max(seconds, 1e-6)).toFixed(1)} MB/s, ${Math.round(s.packets / Math.max(seconds, 1e-6)).toLocaleString('en-US')} packets/s`,
    `logs         ${outDir.replace(/\/+$/, "")}/ (${Object.entries(logCounts).map(([k, n]) => `${k === 'eve' ? 'eve.json' : k + '.log'} ${n}`).join(', ')})`,
  ];
  return lines.join('\n') + '\n';
}

/** Signatures listed under the alert count, most frequent first. */
const TOP_SIGNATURES = 5;

function alertLines(alerts: number, bySignature: Record<string, number>): string[] {
  if (alerts === 0 && Object.keys(bySignature).length === 0) return [];
  const top = Object.entries(bySignature).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_SIGNATURES);
  return [
    `alerts       ${alerts.toLocaleString('en-US')} in eve.json`,
    ...top.map(([sig, n]) => `  ${String(n).padStart(6)}  [${sig.slice(0, sig.indexOf(' '))}] ${sig.slice(sig.indexOf(' ') + 1)}`),
  ];
}
