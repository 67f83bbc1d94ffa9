/**
 * Zeek's KRB session logic (base/protocols/krb/main.zeek): one record per connection, created by
 * the first message (ts = its time), written at the first reply (ticket or error) or when the
 * connection ends; once written, later messages of the connection are ignored. An error whose
 * e-text is in KRB::ignored_errors (the pre-authentication prompts) drops the record.
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { cipherName, errorName } from './consts.js';
import { KERBEROS_LOG } from './kerberos-log.js';
import { MSG, type KrbMessage } from './parser.js';

/** KRB::ignored_errors. */
const IGNORED_ERRORS = new Set(['NEEDED_PREAUTH', 'Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ']);

export class KrbState {
  private rec: LogRecord | undefined;
  private logged = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  /** Zeek's set_session: true when this connection's record was already written. */
  private session(): LogRecord | undefined {
    if (!this.rec) {
      this.rec = { ts: this.ctx.now(), ...this.ctx.connFields() };
      this.logged = false;
    }
    return this.logged ? undefined : this.rec;
  }

  message(m: KrbMessage): void {
    switch (m.type) {
      case MSG.AS_REQ: case MSG.TGS_REQ: {
        const r = this.session();
        if (!r) return;
        if (m.type === MSG.AS_REQ) {
          r.request_type = 'AS';
          r.client = `${m.clientName ?? ''}/${m.realm ?? ''}`;
        } else r.request_type = 'TGS';
        if (m.serviceName !== undefined) r.service = m.serviceName;
        if (m.from !== undefined) r.from = m.from;
        if (m.till !== undefined) r.till = m.till;
        if (m.forwardable !== undefined) {
          r.forwardable = m.forwardable;
          r.renewable = m.renewable;
        }
        return;
      }
      case MSG.AS_REP: case MSG.TGS_REP: {
        const r = this.session();
        if (!r) return;
        if (r.client === undefined && (m.clientName !== undefined || m.realm !== undefined)) {
          r.client = `${m.clientName ?? ''}/${m.realm ?? ''}`;
        }
        r.service = m.serviceName;
        r.cipher = m.ticketCipher === undefined ? undefined : cipherName(m.ticketCipher);
        r.success = true;
        this.write();
        return;
      }
      case MSG.ERROR: {
        const r = this.session();
        if (!r) return;
        if (m.errorText !== undefined && IGNORED_ERRORS.has(m.errorText)) {
          this.rec = undefined;
          return;
        }
        if (r.client === undefined && (m.clientName !== undefined || m.realm !== undefined)) {
          r.client = `${m.clientName !== undefined ? m.clientName + '/' : ''}${m.realm ?? ''}`;
        }
        if (m.serviceName !== undefined) r.service = m.serviceName;
        r.success = false;
        if (m.errorText !== undefined) r.error_msg = m.errorText;
        else if (m.errorCode !== undefined) {
          const name = errorName(m.errorCode);
          if (!name.startsWith('unknown-')) r.error_msg = name; // `code in KRB::error_msg`
        }
        this.write();
        return;
      }
      case MSG.AP_REQ:
        this.session();
        return;
      default:
        return; // AP-REP, KRB-SAFE, KRB-PRIV, KRB-CRED: no log fields in Zeek's scripts
    }
  }

  /** Zeek's do_log. */
  private write(): void {
    if (this.rec && !this.logged) {
      this.ctx.log(KERBEROS_LOG, this.rec);
      this.logged = true;
    }
  }

  /** Zeek's finalize_krb. */
  done(): void {
    this.write();
  }
}
