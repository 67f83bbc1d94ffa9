/**
 * One HTTP request/response pair as the analyzer builds it. The detection engine reads the
 * raw parts of it as sticky buffers: `requestLine`/`statusLine` (the start lines as sent),
 * `uriRaw` (the request target before percent-decoding), `requestHeaders`/`responseHeaders`
 * (every header field in order, names as sent, values latin1 with surrounding whitespace
 * removed and obs-fold continuations joined; at most LIMITS.httpMaxHeaders per message) and
 * the trailers of chunked bodies.
 */
import type { FileHandle } from '../files/file-manager.js';
import type { HttpHeader } from './message-parser.js';
import type { Buffers } from './inspection.js';

export interface HttpTransaction {
  ts: number;
  transDepth: number;
  method?: string;
  /** Request target as sent (latin1). */
  uriRaw?: string;
  /** Request target percent-decoded as Zeek does (latin1). */
  uri?: string;
  requestVersion?: string;
  /** Version of the response (http.log `version`). */
  version?: string;
  host?: string;
  referrer?: string;
  userAgent?: string;
  origin?: string;
  statusCode?: number;
  statusMsg?: string;
  infoCode?: number;
  infoMsg?: string;
  username?: string;
  password?: string;
  proxied?: string[];
  requestBodyLen: number;
  responseBodyLen: number;
  requestLine?: string;
  statusLine?: string;
  requestHeaders: HttpHeader[];
  responseHeaders: HttpHeader[];
  requestTrailers?: HttpHeader[];
  responseTrailers?: HttpHeader[];
  origFiles: FileHandle[];
  respFiles: FileHandle[];
  /** Inspection buffers of each side once its headers were complete (only while rules inspect HTTP). */
  requestBuffers?: Buffers;
  responseBuffers?: Buffers;
}

export function newTransaction(ts: number, transDepth: number): HttpTransaction {
  return {
    ts, transDepth, requestBodyLen: 0, responseBodyLen: 0,
    requestHeaders: [], responseHeaders: [], origFiles: [], respFiles: [],
  };
}
