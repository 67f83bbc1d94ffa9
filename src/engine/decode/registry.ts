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

interface BuiltTables {
  tables: Record<TableName, (DecodeFn | undefined)[]>;
  names: Record<TableName, (string | undefined)[]>;
}

/** Tables depend only on the decoder list: built once per list and shared by every engine. */
const builtFor = new WeakMap<readonly LayerDecoder[], BuiltTables>();

function buildTables(decoders: readonly LayerDecoder[]): BuiltTables {
  const cached = builtFor.get(decoders);
  if (cached) return cached;
  const tables = {} as Record<TableName, (DecodeFn | undefined)[]>;
  const names = {} as Record<TableName, (string | undefined)[]>;
  for (const t of Object.keys(TABLE_SIZES) as TableName[]) {
    tables[t] = new Array<DecodeFn | undefined>(TABLE_SIZES[t]).fill(undefined);
    names[t] = new Array<string | undefined>(TABLE_SIZES[t]).fill(undefined);
  }
  for (const dec of decoders) {
    for (const [table, key] of dec.keys) {
      const existing = names[table][key];
      if (existing) throw new Error(`decoder ${dec.name} and ${existing} both claim ${table} ${key}`);
      tables[table][key] = dec.decode;
      names[table][key] = dec.name;
    }
  }
  const built = { tables, names };
  builtFor.set(decoders, built);
  return built;
}

export class Dispatcher {
  private readonly tables: Record<TableName, (DecodeFn | undefined)[]>;
  private readonly names: Record<TableName, (string | undefined)[]>;
  /** Payloads nobody decodes, counted per table and key — for the summary, not for weird.log. */
  private readonly undecodedCounts: Record<TableName, Float64Array>;

  constructor(decoders: readonly LayerDecoder[], readonly services: DecodeServices) {
    const built = buildTables(decoders);
    this.tables = built.tables;
    this.names = built.names;
    this.undecodedCounts = {} as Record<TableName, Float64Array>;
    for (const t of Object.keys(TABLE_SIZES) as TableName[]) this.undecodedCounts[t] = new Float64Array(TABLE_SIZES[t]);
  }

  /** Undecoded payloads as {"etherType 0x0806": n}, for the summary. */
  undecoded(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of Object.keys(TABLE_SIZES) as TableName[]) {
      const counts = this.undecodedCounts[t];
      for (let k = 0; k < counts.length; k++) if (counts[k] > 0) out[`${t} 0x${k.toString(16)}`] = counts[k];
    }
    return out;
  }

  /** True when something is registered for `key` in `table`. */
  has(table: TableName, key: number): boolean {
    return this.tables[table][key] !== undefined;
  }

  /** Decodes the payload at buf[off, end) with whatever registered for `key`; false if nobody did. */
  dispatch(table: TableName, key: number, pkt: Packet, off: number, end: number): boolean {
    const fn = this.tables[table][key];
    if (fn === undefined) {
      this.undecodedCounts[table][key]++;
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
