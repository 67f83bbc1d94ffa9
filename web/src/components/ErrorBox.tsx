import { ApiRequestError } from '../api.js';

/** An error as the user should read it: the server's message, its code for reports. */
export function ErrorBox({ error }: { error: Error }) {
  const code = error instanceof ApiRequestError ? error.code : undefined;
  return (
    <div className="error-box" role="alert">
      {error.message}
      {code && <span className="dim mono"> ({code})</span>}
    </div>
  );
}
