export * from './calendar.ts';
export * from './local-date.ts';
export * from './iso-instant.ts';
