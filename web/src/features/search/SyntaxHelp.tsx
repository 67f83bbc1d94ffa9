/** The query language at a glance (src/store/query/parser.ts): examples that fill the box on click. */
const EXAMPLES: [string, string][] = [
  ['dns.query:*.example.com', 'a field, with wildcards (* and ?)'],
  ['id.resp_h:10.0.0.0/8', 'addresses match CIDR networks'],
  ['http.user_agent:"curl/8.4.0"', 'a quoted value is taken literally'],
  ['conn.duration:>60 AND conn.resp_bytes:[1000 TO *]', 'comparisons and ranges'],
  ['log:ssl NOT ssl.validation_status:ok', 'NOT (or -), AND (or nothing), OR, parentheses'],
  ['alert.signature:*trojan*', 'EVE alerts are the alert log'],
  ['uid:CHhAvVGS1DHFjwGM9', 'every record of one connection'],
  ['powershell', 'a bare word searches the text of every record'],
  ['log:dns | count by dns.query', 'count records per value'],
  ['log:conn | top 10 id.resp_h', 'the largest groups'],
  ['log:http | values http.host', 'distinct values'],
];

export function SyntaxHelp({ onPick }: { onPick: (q: string) => void }) {
  return (
    <details className="syntax-help">
      <summary>Query syntax</summary>
      <p className="dim">Fields are the Zeek names (<code>log.field</code>; <code>id.orig_h</code> in any log). Start typing a field for suggestions.</p>
      <table className="plain" aria-label="Query examples">
        <tbody>
          {EXAMPLES.map(([q, what]) => (
            <tr key={q}>
              <td><button type="button" className="example mono" onClick={() => onPick(q)} aria-label={`Use example: ${q}`}>{q}</button></td>
              <td className="dim">{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
