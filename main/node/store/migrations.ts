/**
 * Numbered, append-only migrations of the ledger store (DESIGN.md §7). Never edit or renumber one that has
 * shipped; retired ids stay retired. Each runs inside its own transaction.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
