/**
 * The query box: a combobox that completes field names (GET /api/fields) at the caret.
 * ArrowUp/ArrowDown choose, Enter or Tab accept, Escape closes the list; Enter with the list
 * closed submits the form. The list is filtered by prefix first, then by substring.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { searchApi, type FieldInfo } from './api.js';

/** Suggestions shown at once. */
const SUGGESTIONS_MAX = 12;

interface Word { start: number; end: number; text: string; aggregation: boolean }

/** The field-name-like word ending at the caret, if the caret is where a field name may go. */
export function wordAtCaret(q: string, caret: number): Word | undefined {
  const before = q.slice(0, caret);
  if ((before.match(/"/g)?.length ?? 0) % 2 === 1) return undefined; // inside a phrase
  const m = /(^|[\s(!-])([A-Za-z_][A-Za-z0-9_.]*)$/.exec(before);
  if (!m) return undefined;
  const start = caret - m[2].length;
  const after = /^[A-Za-z0-9_.]*/.exec(q.slice(caret))![0];
  const aggregation = /\|\s*(?:count\s+by|top\s+\d+|values)\s+[A-Za-z0-9_.]*$/i.test(before);
  if (!aggregation && /\|\s*[A-Za-z]*$/.test(before)) return undefined; // the aggregation's own keyword
  return { start, end: caret + after.length, text: m[2], aggregation };
}

export function QueryInput({ value, onChange, onSubmit, invalid, describedBy }: {
  value: string; onChange: (v: string) => void; onSubmit: () => void; invalid: boolean; describedBy?: string;
}) {
  const [fields, setFields] = useState<FieldInfo[]>([]);
  const [caret, setCaret] = useState(value.length);
  const [active, setActive] = useState(0);
  const [closed, setClosed] = useState(true);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  useEffect(() => { searchApi.fields().then((r) => setFields(r.fields), () => setFields([])); }, []);

  const word = useMemo(() => wordAtCaret(value, caret), [value, caret]);
  const suggestions = useMemo(() => {
    if (!word || closed) return [];
    const w = word.text.toLowerCase();
    const prefix: FieldInfo[] = [], inner: FieldInfo[] = [];
    for (const f of fields) {
      const n = f.name.toLowerCase();
      if (n === w) continue;
      if (n.startsWith(w)) prefix.push(f); else if (w.length >= 2 && n.includes(w)) inner.push(f);
      if (prefix.length >= SUGGESTIONS_MAX) break;
    }
    return [...prefix, ...inner].slice(0, SUGGESTIONS_MAX);
  }, [word, fields, closed]);
  const expanded = suggestions.length > 0;

  const accept = (f: FieldInfo) => {
    if (!word) return;
    const insert = f.name + (word.aggregation ? ' ' : ':');
    const next = value.slice(0, word.start) + insert + value.slice(word.end);
    onChange(next);
    const pos = word.start + insert.length;
    setCaret(pos);
    setClosed(true);
    requestAnimationFrame(() => { input.current?.setSelectionRange(pos, pos); input.current?.focus(); });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (expanded) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => (a + 1) % suggestions.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => (a - 1 + suggestions.length) % suggestions.length); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); accept(suggestions[Math.min(active, suggestions.length - 1)]); return; }
      if (e.key === 'Escape') { e.preventDefault(); setClosed(true); return; }
    }
    if (e.key === 'Enter') { e.preventDefault(); onSubmit(); }
  };

  return (
    <div className="query-box">
      <input
        ref={input} id="query" type="search" className="query-input mono" value={value} spellCheck={false} autoComplete="off"
        role="combobox" aria-expanded={expanded} aria-controls={listId} aria-autocomplete="list" aria-invalid={invalid}
        aria-describedby={describedBy} aria-label="Query"
        aria-activedescendant={expanded ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined}
        placeholder='dns.query:*.example.com AND NOT id.resp_h:10.0.0.0/8 | top 10 id.resp_h'
        onChange={(e) => { onChange(e.target.value); setCaret(e.target.selectionStart ?? e.target.value.length); setClosed(false); setActive(0); }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setClosed(true), 150)}
      />
      <ul id={listId} role="listbox" className="suggestions" aria-label="Field names" hidden={!expanded}>
        {suggestions.map((f, i) => (
          <li key={f.name} id={`${listId}-${i}`} role="option" aria-selected={i === active}
            className={i === active ? 'suggestion active' : 'suggestion'}
            onMouseDown={(e) => { e.preventDefault(); accept(f); }}>
            <span className="mono">{f.name}</span> <span className="dim">{f.type}</span>
            {f.doc && <span className="suggestion-doc dim">{f.doc}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
