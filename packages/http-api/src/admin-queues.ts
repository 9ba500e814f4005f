import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';

/** Where the queue UI lives (operations.md, "Queue health"). */
export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * bull-board for every queue under /admin/queues, behind `guard` (the admin scope). The guard is
 * an onRequest hook of the enclosing plugin, so it covers the page, its API calls and its static
 * assets alike; the browser authenticates those with the login cookie, since it cannot add a
 * header to a script or stylesheet request. The UI can retry, clean and remove jobs: that is
 * what the admin scope is for.
 */
export function registerAdminQueues(app: FastifyInstance, queues: readonly Queue[], guard: onRequestAsyncHookHandler): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Rollcall queues' } },
  });
  void app.register(async (admin) => {
    admin.addHook('onRequest', guard);
    await admin.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
}
