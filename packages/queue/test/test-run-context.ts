/**
 * What `@rollcall/testing`'s global set-up provides to every test file, as far as this package's
 * test kits read it; declared here so that they type-check without depending on @rollcall/testing
 * (which depends on this package).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    rollcallRunId: string;
    rollcallRedisUrl: string;
    rollcallDatabaseUrl: string;
  }
}

export {};
