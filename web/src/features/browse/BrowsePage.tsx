/** Browse: the newest analysed captures, and the ones still in the queue. */
import { Link } from 'wouter';
import { api } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatBytes, formatCount, formatTs } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';

export default function BrowsePage() {
  const state = useAsync((signal) => api.captures({ limit: 100 }, signal), []);
  if (state.status === 'loading') return <p role="status">Loading captures…</p>;
  if (state.status === 'error') return <ErrorBox error={state.error} />;
  const { captures, pending } = state.value;
  return (
    <section aria-labelledby="browse-title">
      <h1 id="browse-title">Captures</h1>
      {pending.length > 0 && (
        <p className="dim">{pending.length} in the queue: {pending.map((j) => (
          <Link key={j.id} href={`/captures/${j.captureId}`} className="mono">{j.name} </Link>
        ))}</p>
      )}
      {captures.length === 0 ? <p>No captures yet. <Link href="/">Submit one</Link>.</p> : (
        <table className="plain" aria-label="Analysed captures">
          <thead><tr><th>Name</th><th>SHA-256</th><th>Size</th><th>Packets</th><th>First packet</th><th>Records</th></tr></thead>
          <tbody>
            {captures.map((c) => (
              <tr key={c.id}>
                <td><Link href={`/captures/${c.id}`}>{c.name}</Link></td>
                <td className="mono dim">{c.id.slice(0, 16)}…</td>
                <td>{formatBytes(c.size)}</td>
                <td>{formatCount(c.packets)}</td>
                <td>{formatTs(c.firstTs)}</td>
                <td>{formatCount(c.recordCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
