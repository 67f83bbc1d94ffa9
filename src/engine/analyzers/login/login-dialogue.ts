/**
 * The login dialogue of a cleartext terminal session (Telnet, rlogin), after Zeek's Login
 * analyzer (src/analyzer/protocol/login/Login.cc): the server's output is watched for a login
 * or password prompt, the client's next line is the user name or the password, and the server's
 * words after it tell success or failure. Client keystrokes are assembled into lines (many
 * clients send one character per packet; backspace edits the line).
 */
import { LIMITS } from '../../support/limits.js';

/** Zeek's login_prompts, lower-cased, and what else real devices print. */
const USER_PROMPTS = ['login:', 'username:', 'user name:', 'user:', 'name:', 'member name', 'user access verification', 'account:'];
const PASSWORD_PROMPTS = ['password:', 'passcode:', 'passwd:', 'password for'];
/** Zeek's login_failure_msgs. */
const FAILURE = ['invalid', 'incorrect', 'failure', 'unknown user', 'login failed', 'authentication failed', 'access denied', 'bad password'];
/** Zeek's login_success_msgs, plus shell prompts and banners that only follow a login. */
const SUCCESS = ['last login', 'last successful login', 'checking for disk quotas', 'unsuccessful login attempts', 'failures since last successful login', 'welcome'];

const enum Expect { Nothing, User, Password, Outcome }

export interface LoginOutcome {
  user?: string;
  password?: string;
  success?: boolean;
}

export class LoginDialogue {
  readonly result: LoginOutcome = {};
  private expect = Expect.Nothing;
  /** The server's current output line (lower-cased, bounded). */
  private serverLine = '';
  /** The client's line being typed. */
  private clientLine = '';
  /** Server bytes judged since the password was sent, to stop looking eventually. */
  private outcomeBytes = 0;

  /** `onChange` runs when user, password or outcome become known. */
  constructor(private readonly onChange: (o: LoginOutcome) => void) {}

  /** The user name is known without a prompt (rlogin's handshake). */
  presetUser(user: string): void {
    this.result.user = user;
    this.onChange(this.result);
  }

  server(data: Uint8Array, len: number): void {
    for (let i = 0; i < len; i++) {
      const c = data[i];
      if (c === 0x0a || c === 0x0d) {
        this.serverLineDone(true);
        continue;
      }
      if (c === 0 || this.serverLine.length >= LIMITS.loginMaxLineChars) continue;
      this.serverLine += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
    }
    // A prompt is not followed by a newline: judge what is on the line so far.
    this.serverLineDone(false);
    if (this.expect === Expect.Outcome) {
      this.outcomeBytes += len;
      if (this.outcomeBytes > LIMITS.loginOutcomeBytes) this.expect = Expect.Nothing;
    }
  }

  client(data: Uint8Array, len: number): void {
    for (let i = 0; i < len; i++) {
      const c = data[i];
      if (c === 0x0d || c === 0x0a) {
        if (this.clientLine !== '') this.clientLineDone();
        continue;
      }
      if (c === 0x08 || c === 0x7f) { this.clientLine = this.clientLine.slice(0, -1); continue; }
      if (c === 0x15) { this.clientLine = ''; continue; } // ^U kills the line
      if (c === 0 || this.clientLine.length >= LIMITS.loginMaxLineChars) continue;
      this.clientLine += String.fromCharCode(c);
    }
  }

  private clientLineDone(): void {
    const line = this.clientLine;
    this.clientLine = '';
    if (this.expect === Expect.User) {
      this.result.user = line;
      this.expect = Expect.Nothing;
      this.onChange(this.result);
    } else if (this.expect === Expect.Password) {
      this.result.password = line;
      this.expect = Expect.Outcome;
      this.outcomeBytes = 0;
      this.onChange(this.result);
    }
  }

  private serverLineDone(ended: boolean): void {
    const line = this.serverLine.trim();
    if (ended) this.serverLine = '';
    if (line === '') return;
    if (this.expect === Expect.Outcome) {
      if (FAILURE.some((m) => line.includes(m))) { this.settle(false); return; }
      if (SUCCESS.some((m) => line.includes(m)) || (!ended && /[$#>%]$/.test(line))) { this.settle(true); return; }
    }
    if (PASSWORD_PROMPTS.some((p) => line.endsWith(p) || line.startsWith(p))) {
      this.expect = Expect.Password;
      if (ended) return;
      this.serverLine = ''; // the prompt is consumed: don't judge it again with the next bytes
    } else if (USER_PROMPTS.some((p) => line.endsWith(p))) {
      // A second login prompt after a password means the first attempt failed.
      if (this.expect === Expect.Outcome) this.settle(false);
      this.expect = Expect.User;
      if (!ended) this.serverLine = '';
    }
  }

  private settle(success: boolean): void {
    this.expect = Expect.Nothing;
    if (this.result.success === true) return; // once in, a later failure message is a command's
    this.result.success = success;
    this.onChange(this.result);
  }
}
