/**
 * What the flow layer tells decoders about the packet it just accepted (set by `session()`),
 * read by decoders that dispatch on connection roles, e.g. UDP tunnels by responder port.
 */
export const flowHints = {
  /** Responder port of the connection the last session() call put the packet in. */
  respPort: 0,
  /** Id of that connection (for tunnels riding on it). */
  connId: -1,
};
