/**
 * A job the catalog refuses to add (data that breaks its schema, more events than a job may
 * carry, an id BullMQ would misread). Nothing was added; the message says what to change.
 */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
  constructor(
    message: string,
    readonly jobName: string,
    readonly queueName: string,
  ) {
    super(message);
  }
}
