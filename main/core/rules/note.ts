/** `note`: a signed line of text that changes no state. For tests, benchmarks and operator notices. */
import { z } from 'zod';
import type { TxRule } from './types';

const payloadSchema = z.object({ text: z.string().max(1024) }).strict();

export const noteRule: TxRule<z.infer<typeof payloadSchema>> = {
  type: 'note',
  payload: payloadSchema,
  // Anyone with a key may sign a note: it grants nothing.
  check() {},
  apply() {},
};
