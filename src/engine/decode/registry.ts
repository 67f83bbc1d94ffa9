/**
 * Dispatch by (parent, key): a decoder registers into its parent's table ("ethertype 0x0800 →
 * ipv4"); a parent looks its payload up by key and never names its children (Zeek's packet
 * analysis framework does the same).
 */
import type { Packet } from './packet.js';
import { LIMITS } from '../support/limits.js';

/** What decoders may call back into: the flow layer, tunnels, fragments, weirds. */
export interface DecodeServices {
  /** A weird about this packet that no connection owns yet. */
  weird(pkt: Packet, name: string, addl?: string): void;
  /** Hands a fully decoded transport packet to the flow layer; returns the connection's id or -1. */
  session(pkt: Packet): number;
  /** Registers the IP-level tunnel this packet travels in (IP-in-IP, GRE, ...); returns its id. */
  ipTunnel(pkt: Packet, type: TunnelType): number;
  /** Marks connection `connId` as a tunnel (VXLAN, Teredo, ...); returns the tunnel id. */
  connTunnel(pkt: Packet, connId: number, type: TunnelType): number;
  /**
   * Offers an IP fragment for reassembly. Returns true when the datagram is complete, having
   * pointed pkt.buf/l4Off/l4Len/l4Cap (and pkt.ipLen, pkt.ipProto) at the whole transport segment.
   */
  fragment(pkt: Packet, id: number, offsetBytes: number, moreFragments: boolean, dataOff: number, dataLen: number): boolean;
}

export type TunnelType = 'Tunnel::IP' | 'Tunnel::GRE' | 'Tunnel::VXLAN' | 'Tunnel::GENEVE' | 'Tunnel::GTPv1'
  | 'Tunnel::TEREDO' | 'Tunnel::AYIYA' | 'Tunnel::ERSPAN';

/** A decoder: reads its header at `buf[off, end)` and dispatches the rest. Never throws on bad input. */
export type DecodeFn = (pkt: Packet, off: number, end: number, d: Dispatcher) => void;

export type TableName = 'linkType' | 'etherType' | 'pppProtocol' | 'ipProto' | 'udpPort';

export interface LayerDecoder {
  /** Name used in weirds and docs, e.g. "ethernet". */
  readonly name: string;
  /** Where it hooks in: ([table, key]) pairs. */
  readonly keys: ReadonlyArray<readonly [TableName, number]>;
  readonly decode: DecodeFn;
}

const TABLE_SIZES: Record<TableName, number> = {
  linkType: 65536, etherType: 65536, pppProtocol: 65536, ipProto: 256, udpPort: 65536,
};
const TABLE_NAMES = Object.keys(TABLE_SIZES) as TableName[];

/**
 * A table: `slots[key]` is the index in `fns` of the decoder registered for that key (0: none;
 * fns[0] is undefined). A full-size array of functions per table cost ~100 ms of every run's
 * start-up (five 65,536-entry arrays built and filled in the interpreter: most of what analysing
 * a small capture costs); a zeroed Uint8Array costs nothing to create and keeps lookups one index.
 */
interface Table {
  slots: Uint8Array;
  fns: (DecodeFn | undefined)[];
}

/** Tables depend only on the decoder list: built once per list and shared by every engine. */
const builtFor = new WeakMap<readonly LayerDecoder[], Record<TableName, Table>>();

function buildTables(decoders: readonly LayerDecoder[]): Record<TableName, Table> {
  const cached = builtFor.get(decoders);
  if (cached) return cached;
  const tables = {} as Record<TableName, Table>;
  const names = new Map<string, string>();
  for (const t of TABLE_NAMES) tables[t] = { slots: new Uint8Array(TABLE_SIZES[t]), fns: [undefined] };
  for (const dec of decoders) {
    for (const [table, key] of dec.keys) {
      if (!(key >= 0 && key < TABLE_SIZES[table] && Number.isInteger(key))) throw new Error(`decoder ${dec.name}: ${table} key ${key} out of range`);
      const existing = names.get(`${table} ${key}`);
      if (existing) throw new Error(`decoder ${dec.name} and ${existing} both claim ${table} ${key}`);
      names.set(`${table} ${key}`, dec.name);
      const t = tables[table];
      if (t.fns.length > 255) throw new Error(`more than 255 decoders in table ${table}`);
      t.slots[key] = t.fns.length;
      t.fns.push(dec.decode);
    }
  }
  builtFor.set(decoders, tables);
  return tables;
}

export class Dispatcher {
  private readonly tables: Record<TableName, Table>;
  /** Payloads nobody decodes, counted per table and key — for the summary, not for weird.log. */
  private readonly undecodedCounts: Record<TableName, Float64Array>;
  /** "table key" of every count that became non-zero, so the summary never scans the tables. */
  private readonly undecodedSeen: { table: TableName; key: number }[] = [];

  constructor(decoders: readonly LayerDecoder[], readonly services: DecodeServices) {
    this.tables = buildTables(decoders);
    this.undecodedCounts = {} as Record<TableName, Float64Array>;
    for (const t of TABLE_NAMES) this.undecodedCounts[t] = new Float64Array(TABLE_SIZES[t]);
  }

  /** Undecoded payloads as {"etherType 0x0806": n}, for the summary (tables in declaration order, keys ascending). */
  undecoded(): Record<string, number> {
    const seen = [...this.undecodedSeen].sort((a, b) => TABLE_NAMES.indexOf(a.table) - TABLE_NAMES.indexOf(b.table) || a.key - b.key);
    const out: Record<string, number> = {};
    for (const { table, key } of seen) out[`${table} 0x${key.toString(16)}`] = this.undecodedCounts[table][key];
    return out;
  }

  /** True when something is registered for `key` in `table`. */
  has(table: TableName, key: number): boolean {
    const t = this.tables[table];
    return t.fns[t.slots[key]] !== undefined;
  }

  /** Decodes the payload at buf[off, end) with whatever registered for `key`; false if nobody did. */
  dispatch(table: TableName, key: number, pkt: Packet, off: number, end: number): boolean {
    const t = this.tables[table];
    const fn = t.fns[t.slots[key]];
    if (fn === undefined) {
      // Keys come from 8- and 16-bit header fields, so they index the count arrays directly.
      if (this.undecodedCounts[table][key]++ === 0) this.undecodedSeen.push({ table, key });
      return false;
    }
    if (++pkt.depth > LIMITS.maxDecodeLayers) {
      this.services.weird(pkt, 'exceeded_encapsulation_depth', table);
      return true;
    }
    fn(pkt, off, end, this);
    return true;
  }
}
