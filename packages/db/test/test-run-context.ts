/**
 * What `@rollcall/testing`'s global set-up provides to every test file (vitest's `provide` and
 * `inject`), declared here, beside the test kits of this package that read it, so that the kits
 * type-check without depending on @rollcall/testing (which depends on this package).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    rollcallTemplateDatabase: string;
    rollcallRunId: string;
    rollcallDatabaseUrl: string;
  }
}

/** The maintenance database's URL on the same server (for CREATE and DROP DATABASE). */
export const adminUrlOf = (databaseUrl: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
};

/** The URL of database `name` on the same server. */
export const databaseUrlFor = (databaseUrl: string, name: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
