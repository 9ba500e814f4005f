import type { GracefulShutdown } from '@rollcall/runtime';
import type { AppContext } from './app-context.ts';

/** Starts the HTTP API (filled in when the http-api package lands). */
export async function startApi(context: AppContext, _shutdown: GracefulShutdown): Promise<void> {
  context.log.warn('the HTTP API is not available in this build');
}
