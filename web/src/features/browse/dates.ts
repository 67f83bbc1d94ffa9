/**
 * Browse's date filters: submitted between, first packet between, as whole UTC days. In the URL as
 * `submitted_from=2024-01-31` (a link is a view); to the API as inclusive epoch-second bounds
 * (GET /api/captures?submitted_from=…&first_packet_to=…), a "to" day running to its last instant.
 */
export interface DateBounds { submittedFrom: string; submittedTo: string; firstFrom: string; firstTo: string }

export const NO_DATES: DateBounds = Object.freeze({ submittedFrom: '', submittedTo: '', firstFrom: '', firstTo: '' });

/** URL parameter of each bound. */
export const DATE_PARAMS: Readonly<Record<keyof DateBounds, string>> = {
  submittedFrom: 'submitted_from', submittedTo: 'submitted_to', firstFrom: 'first_from', firstTo: 'first_to',
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch seconds of a day's start (or, `end`, its last millisecond); undefined for anything but a real YYYY-MM-DD. */
export function dayBound(day: string, end = false): number | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const t = Date.UTC(y, mo, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo || back.getUTCDate() !== d) return undefined; // 2024-02-31
  return (end ? Date.UTC(y, mo, d + 1) - 1 : t) / 1000;
}

export function readDates(params: URLSearchParams): DateBounds {
  const out = { ...NO_DATES };
  for (const k of Object.keys(DATE_PARAMS) as (keyof DateBounds)[]) {
    const v = params.get(DATE_PARAMS[k]) ?? '';
    out[k] = dayBound(v) === undefined ? '' : v;
  }
  return out;
}

export function hasDates(d: DateBounds): boolean {
  return Object.values(d).some(Boolean);
}

/** The API's query parameters for the bounds set. */
export function apiBounds(d: DateBounds): Record<string, number | undefined> {
  return {
    submitted_from: dayBound(d.submittedFrom), submitted_to: dayBound(d.submittedTo, true),
    first_packet_from: dayBound(d.firstFrom), first_packet_to: dayBound(d.firstTo, true),
  };
}

/** "submitted 2024-01-01 – 2024-01-31, first packet from 2023-06-01", for the page to say what it shows. */
export function describeDates(d: DateBounds): string {
  const span = (what: string, from: string, to: string) => (from && to ? `${what} ${from} – ${to}` : from ? `${what} from ${from}` : to ? `${what} until ${to}` : '');
  return [span('submitted', d.submittedFrom, d.submittedTo), span('first packet', d.firstFrom, d.firstTo)].filter(Boolean).join(', ');
}
