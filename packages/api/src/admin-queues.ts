import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { HIDDEN_PERSON_REFERENCE, hidePersonReferences, holdsHiddenPersonReference } from '@rollcall/ops';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { sendError } from './error-handling.ts';

/** Where the queue UI lives (operations.md, "Queue health"). */
export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * The Content-Security-Policy of every bull-board response. `frame-ancestors 'none'` (with
 * `X-Frame-Options: DENY` for older browsers) stops another site framing the UI under a
 * transparent layer and clicking its retry and remove buttons through the admin's session. The
 * rest keeps the page to its own origin: its scripts, styles and API are all served from
 * /admin/queues (its one inline script is JSON data, which script-src does not govern; React sets
 * inline styles). Its Google Fonts stylesheet is deliberately not allowed: an admin page of police
 * data makes no third-party requests; the text falls back to the system sans-serif.
 */
export const ADMIN_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request that changes queues comes from another site. The login cookie is
 * `SameSite=Strict`, which already keeps it off a cross-site request in current browsers; this is
 * the second lock, for a browser that ignores SameSite or a sibling site on the same registrable
 * domain (same-site, but another origin). A browser sends `Origin` on every POST, PUT, PATCH and
 * DELETE (`null` from a sandboxed or privacy-stripped context) and `Sec-Fetch-Site` with it; both
 * must name this origin when present. A request with neither is not from a browser (curl with a
 * bearer token), and no other site can make a browser send one like it.
 */
function isCrossSite(request: FastifyRequest): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).origin !== new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    // 'null', or anything else that is not an origin.
    return true;
  }
}

/**
 * The bull-board adapter of one queue. Feed jobs carry events as producers sent them, person
 * references possibly in clear, so job data and return values are shown with every `personRef`
 * and `subjectRef` (any depth) replaced by HIDDEN_PERSON_REFERENCE. Failure reasons and stack
 * traces are shown as the worker wrote them; they carry no event content.
 */
export function adminQueueAdapter(queue: Queue): BullMQAdapter {
  const adapter = new BullMQAdapter(queue);
  adapter.setFormatter('data', hidePersonReferences);
  adapter.setFormatter('returnValue', hidePersonReferences);
  return adapter;
}

/**
 * bull-board for every queue under /admin/queues, behind `guard` (the admin scope). The guard is
 * an onRequest hook of the enclosing plugin, so it covers the page, its API calls and its static
 * assets alike; the browser authenticates those with the login cookie, since it cannot add a
 * header to a script or stylesheet request. The UI can retry, clean and remove jobs: that is
 * what the admin scope is for.
 *
 * The UI can also add a job and edit a job's data, starting from the data it shows: with a
 * hidden reference in it, that data is refused (400), since the worker would pseudonymise the
 * placeholder into one made-up person shared by every such event.
 *
 * Every response carries ADMIN_CONTENT_SECURITY_POLICY, and a request that would change a queue
 * (any method but GET, HEAD, OPTIONS) from another site is refused (403) before bull-board sees
 * it: a page elsewhere cannot have an admin's browser add, retry or remove jobs (issue 15).
 */
export function registerAdminQueues(
  app: FastifyInstance,
  queues: readonly Queue[],
  guard: onRequestAsyncHookHandler,
): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: queues.map(adminQueueAdapter),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Rollcall queues' } },
  });
  void app.register(async (admin) => {
    admin.addHook('onRequest', guard);
    admin.addHook('onRequest', async (request, reply) => {
      if (SAFE_METHODS.has(request.method) || !isCrossSite(request)) return undefined;
      request.log.warn(
        {
          method: request.method,
          url: request.url,
          origin: request.headers.origin,
          fetchSite: request.headers['sec-fetch-site'],
        },
        'cross-site change to the queues refused',
      );
      return sendError(reply, 403, {
        error: 'forbidden',
        message: 'a request that changes queues must come from this site (its Origin or Sec-Fetch-Site says another)',
      });
    });
    admin.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', ADMIN_CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
    });
    // Answered here rather than thrown: bull-board's plugin installs an error handler of its own.
    admin.addHook('preHandler', async (request, reply) => {
      if (!holdsHiddenPersonReference(request.body)) return undefined;
      return sendError(reply, 400, {
        error: 'bad_request',
        message: `job data holds ${HIDDEN_PERSON_REFERENCE} where the queue UI hid a person reference; enter the reference itself, or offer the event again from its source`,
      });
    });
    await admin.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
}
