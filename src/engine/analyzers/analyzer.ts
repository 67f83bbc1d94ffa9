/**
 * The contract between the engine and a protocol analyzer. An analyzer is one folder under
 * analyzers/<proto>/ exporting an AnalyzerDescriptor (how it is recognised, how it is created),
 * registered with one line in analyzers/index.ts. It never sees packets or sequence numbers: TCP
 * analyzers get reassembled bytes and gaps, UDP analyzers get datagrams.
 */
import type { LogRecord, LogSchema } from '../logs/schema.js';
import type { ConnFiles } from './files/file-manager.js';
import type { InspectionUnit } from '../detect/inspection.js';

/** The connection an analyzer instance works for (all strings already formatted). */
export interface ConnInfo {
  readonly uid: string;
  readonly origH: string;
  readonly origP: number;
  readonly respH: string;
  readonly respP: number;
  /** 'tcp' | 'udp' */
  readonly transport: 'tcp' | 'udp';
  /** Community ID v1 of the connection. */
  readonly communityId: string;
  /** Originator / responder in the configured local networks; undefined when none are set. */
  readonly origLocal?: boolean;
  readonly respLocal?: boolean;
}

export interface AnalyzerContext {
  readonly conn: ConnInfo;
  /** Capture time of the packet that delivered the current bytes (Zeek's network_time). */
  now(): number;
  /** Writes a log record; the analyzer fills ts, uid and id.* (see connFields()). */
  log(schema: LogSchema, record: LogRecord): void;
  /** `uid` and the `id.*` fields of this connection, to spread into a record. */
  connFields(): LogRecord;
  /** A protocol anomaly on this connection (weird.log). */
  weird(name: string, addl?: string): void;
  /** The traffic is this protocol: adds it to conn.log `service`. Call once it parsed cleanly. */
  confirm(): void;
  /**
   * The traffic is not (or no longer) this protocol. Before confirm(), detection moves on to
   * the next candidate; after it, the analyzer is detached and a weird is logged.
   */
  violation(reason: string): void;
  /**
   * From the next byte on, this TCP connection speaks protocol `name` (STARTTLS, an HTTP
   * CONNECT or Upgrade): this analyzer is finished (its done() is called) and the named analyzer
   * takes over the stream; it adds its own service once it confirms. False if no such analyzer.
   * done() runs inside this call: return from data() right after it. Bytes of the current chunk
   * after the switch point are not passed on (protocols switch at a message boundary).
   */
  upgrade(name: string): boolean;
  /**
   * State shared by every connection of one analysis run (one capture), created on first use:
   * for protocols whose records span connections (DHCP transactions, x509 de-duplication).
   * Keys are namespaced by the analyzer ("dhcp.join").
   */
  shared<T>(key: string, init: () => T): T;
  /**
   * A connection to respH:respP (from origH, if given) is expected soon (an FTP data channel):
   * when it shows up, detection is skipped and analyzer `analyzer` gets it, with `info` as its
   * ctx.expectation. Expectations expire after `seconds` of capture time (default 300).
   */
  expect(e: Expectation): void;
  /** The `info` of the expectation that brought this connection, if one did. */
  readonly expectation: unknown;
  /** The files framework for this connection: `files.begin({...})` (files.log, hashes, extraction). */
  readonly files: ConnFiles;
  /**
   * Whether the detection engine consumes units of app-layer protocol `proto` ('http', 'dns',
   * ...). Analyzers check it before building a unit, so a run without rules pays nothing.
   */
  inspecting(proto: string): boolean;
  /** Hands one complete direction of one transaction to the detection engine (detect/inspection.ts). */
  inspect(unit: InspectionUnit): void;
  /**
   * A cleartext credential crossed this connection (credentials.log, masked unless shown on
   * request). For protocols whose own log does not carry it (FTP's USER/PASS, Telnet); logs
   * that do (http, pop3, imap, smtp, snmp) are read by the summary directly. Call again with the
   * same method and user to add the password or the outcome.
   */
  credential(c: Credential): void;
}

export interface Credential {
  method: string;
  username?: string;
  password?: string;
  success?: boolean;
}

export interface Expectation {
  respH: string;
  respP: number;
  origH?: string;
  analyzer: string;
  seconds?: number;
  info?: unknown;
}

export interface StreamAnalyzer {
  /** In-order bytes from one side: buf[off, off+len), valid only during the call. */
  data(isOrig: boolean, buf: Buffer, off: number, len: number): void;
  /** `len` bytes of this side that were never seen. Resynchronise or give up. */
  gap(isOrig: boolean, len: number): void;
  /** This side closed (FIN) and everything before it was delivered. */
  eof(isOrig: boolean): void;
  /** The connection is over: log what is pending. Called exactly once. */
  done(): void;
}

export interface DatagramAnalyzer {
  /** One datagram's payload: buf[off, off+len), valid only during the call. */
  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void;
  /** The connection is over: log what is pending. Called exactly once. */
  done(): void;
}

/** 'yes': this is the protocol; 'no': it is not; 'more': show me more bytes of this side. */
export type ProbeResult = 'yes' | 'no' | 'more';

export interface AnalyzerDescriptor {
  /** Service name as conn.log shows it ("dns", "http", "ssl"). */
  readonly name: string;
  /** Well-known ports; a port match is tried first (and suffices when there is no probe). */
  readonly tcpPorts?: readonly number[];
  readonly udpPorts?: readonly number[];
  /**
   * Recognises the protocol from the first bytes one side sent (bytes buf[off, off+len)).
   * Must be cheap, must never throw, and should only say 'yes' on real evidence.
   */
  probe?(isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult;
  /** Probing on any port (not only the well-known ones). Default true when a probe exists. */
  readonly probeAnyPort?: boolean;
  createStream?(ctx: AnalyzerContext): StreamAnalyzer;
  createDatagram?(ctx: AnalyzerContext): DatagramAnalyzer;
}
