export * from './captured-io.ts';
export * from './run-cli.ts';
export * from './service-roles.ts';
export { demoCommand, type DemoTarget } from './commands/demo-command.ts';
