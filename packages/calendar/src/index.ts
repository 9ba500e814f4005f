export * from './calendar.ts';
export * from './local-date.ts';
