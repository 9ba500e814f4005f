import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { HIDDEN_PERSON_REFERENCE, hidePersonReferences, holdsHiddenPersonReference } from '@rollcall/ops';
import type { Queue } from 'bullmq';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { sendError } from './error-handling.ts';

/** Where the queue UI lives (operations.md, "Queue health"). */
export const ADMIN_QUEUES_PATH = '/admin/queues';

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
 */
export function registerAdminQueues(app: FastifyInstance, queues: readonly Queue[], guard: onRequestAsyncHookHandler): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: queues.map(adminQueueAdapter),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Rollcall queues' } },
  });
  void app.register(async (admin) => {
    admin.addHook('onRequest', guard);
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
