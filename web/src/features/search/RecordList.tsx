/**
 * Records as rows (search results, pivot hits): time, log, and the record's values as chips.
 * A chip opens row tools on that value, a row (click or Enter) on the whole record; arrow keys
 * move between rows. Every value is text; nothing from a record becomes markup or an href here.
 */
import { useState, type KeyboardEvent } from 'react';
import { RowTools, type ToolRecord } from '../../components/RowTools.js';
import { recordCells } from '../../lib/record-cells.js';
import { formatTs } from '../../lib/format.js';

/** Chips shown per row: the rest are in the row tools. */
const CHIPS_PER_ROW = 14;
/** Characters of a value shown in a chip (the full value is in the row tools and the title). */
const CHIP_MAX_CHARS = 80;
const SKIP = new Set(['ts', 'uid', '_path', 'timestamp', 'event_type']);

/** `extra`: the field that matched (pivot hits): shown under the log and its chip highlighted. */
export interface ListedRecord extends ToolRecord { key: string; extra?: string }

export function RecordList({ records, label }: { records: ListedRecord[]; label: string }) {
  const [open, setOpen] = useState<{ record: ToolRecord; path?: string } | undefined>();
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, r: ListedRecord) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setOpen({ record: r }); }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  };
  return (
    <>
      <table className="records" aria-label={label}>
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Log</th><th scope="col">Values</th></tr></thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.key} tabIndex={0} onClick={() => setOpen({ record: r })} onKeyDown={(e) => onKey(e, r)} aria-label={`${r.log} record${r.ts ? ` at ${formatTs(r.ts)}` : ''}: open row tools`}>
              <td className="mono nowrap">{formatTs(r.ts)}</td>
              <td><span className="log-badge">{r.log}</span>{r.extra && <div className="dim small">{r.extra}</div>}</td>
              <td className="chips">
                {(r.uid ? [{ path: 'uid', value: r.uid as string | number | boolean }] : []).concat(recordCells(r.log, r.doc, 60).filter((c) => !SKIP.has(c.path))).slice(0, CHIPS_PER_ROW).map((c, i) => {
                  const text = String(c.value);
                  return (
                    <button key={`${c.path}#${i}`} type="button" className={c.path === r.extra ? 'chip match' : 'chip'} title={`${c.path}: ${text.slice(0, 2000)}`}
                      onClick={(e) => { e.stopPropagation(); setOpen({ record: r, path: c.path }); }}>
                      <span className="chip-key">{c.path}</span>
                      <span className="chip-value mono">{text.length > CHIP_MAX_CHARS ? `${text.slice(0, CHIP_MAX_CHARS)}…` : text}</span>
                    </button>
                  );
                })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <RowTools record={open.record} focusPath={open.path} onClose={() => setOpen(undefined)} />}
    </>
  );
}
