import { escapeHtml } from './html-page.ts';

export const LOGIN_STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
main { max-width: 26rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin-bottom: .3rem; }
input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #99a; border-radius: 4px; }
button { margin-top: 1rem; padding: .5rem 1.2rem; font: inherit; border: 0; border-radius: 4px; background: #1d4ed8; color: #fff; cursor: pointer; }
.error { color: #a61b1b; background: #fdecec; padding: .5rem .75rem; border-radius: 4px; }
p.note { color: #556; font-size: .9rem; }
`;

export interface LoginPageOptions {
  /** Where to go after logging in (a path on this server, already validated). */
  readonly next?: string | undefined;
  readonly error?: string | undefined;
  /** The CSRF token of the form (login-csrf.ts). */
  readonly csrf?: string | undefined;
}

/** The login form: one token field; posting it sets the HttpOnly cookie the pages use. */
export function renderLoginPage(options: LoginPageOptions = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Rollcall: log in</title>
<style>${LOGIN_STYLE}</style>
</head>
<body>
<main>
<h1>Rollcall: log in</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>\n` : ''}<form method="post" action="/login">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" required maxlength="512" autofocus>
${options.next ? `<input type="hidden" name="next" value="${escapeHtml(options.next)}">\n` : ''}${options.csrf ? `<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">\n` : ''}<button type="submit">Log in</button>
</form>
<p class="note">The token is kept in an HttpOnly cookie for this site until you log out or it expires after 12 hours.</p>
</main>
</body>
</html>
`;
}
