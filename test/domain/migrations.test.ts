// Migrations are append-only: a campaign that already applied one never sees a change to it, so an
// edited migration would leave deployed objects on a schema the code no longer matches.
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../durable-objects/schema.ts";
import { sha256Hex } from "../../protocol/index.ts";

/** Every released migration and the SHA-256 of its SQL. Add new ones at the end; never edit a line. */
const RELEASED: ReadonlyArray<readonly [string, string]> = [
  ["core-1", "d8a922c5b6402825599e1b155cab59e830e880c5f42d8b7438b9ae2471d4eede"],
  ["budget-1", "ecc5dc713738891ecc69768dfd48ff6ab11588e5b745046bca6e9c176ec782e7"],
  ["alerts-1", "b32efe345365afbe0054cbc95e9cc5770641e48d40a5795446194718fbcffed6"],
  ["verdicts-1", "4d313c7d9fdae205f31d40bd6a218a7a7e6fb81675ab671b09916c8bdf7bebef"],
  ["budget-totals-1", "8c258bf5c6683d6622baca3520fbc368bef845872135631332af5c8ace397601"],
  ["fidelity-1", "a5b122c072cf05d1bbc4fa563018cf58450820d3b738944239afc334bec0b67d"],
  ["budget-hold-1", "63a594ccf08b19f929a923599e6fe0cbe8dcf4f5ede52ad849a2f7e35f08a84f"],
  ["events-1", "c274b01988fdc55130f1aff8c303eba54227a5cc3b73840797888a48e571d148"],
  ["events-2", "5220e44930cda902dc10fccd58f0a84a25623937fdb9124ff54cec60a6675fb1"],
  ["trial-received-1", "d46a7dab6ac4f35777598d99bf19869645dca01cfbfbdab17af5cbb24bdfd5b6"],
];

describe("schema migrations", () => {
  it("keeps every released migration byte-for-byte, in order, with new ones only appended", async () => {
    const current = await Promise.all(MIGRATIONS.map(async (m) => [m.id, await sha256Hex(m.sql)] as const));
    expect(current.slice(0, RELEASED.length)).toEqual(RELEASED);
  });

  it("gives every migration a unique id", () => {
    const ids = MIGRATIONS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
