export * from './call-handling.ts';
export * from './decode-event.ts';
export * from './dvpo.ts';
export * from './envelope.ts';
export * from './examples.ts';
export * from './feed-event.ts';
export * from './stop-search.ts';
export * from './wanted-persons.ts';
