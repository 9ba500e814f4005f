export * from './dashboard-assets.ts';
export * from './format-value.ts';
export * from './view-data.ts';
