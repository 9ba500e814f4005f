export * from './mix-anomalies.ts';
export * from './random.ts';
export * from './simulate-force-month.ts';
export * from './simulation-clock.ts';
export * from './simulate-police-uk-999-table.ts';
