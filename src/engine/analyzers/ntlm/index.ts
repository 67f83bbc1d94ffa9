/**
 * NTLM (NTLMSSP): not an analyzer of its own but the one parser and ntlm.log writer that every
 * carrier shares (SMB session setup, DCE/RPC auth verifiers, and any protocol that passes an
 * NTLMSSP or SPNEGO token), as Zeek's NTLM analyzer sits behind its GSSAPI analyzer.
 */
export { NTLM_LOG } from './ntlm-log.js';
export { NtlmSession } from './session.js';
export { findNtlmssp, parseNtlmssp, spnegoNegState, type NtlmMessage } from './ntlmssp.js';
