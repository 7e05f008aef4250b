import { describe, expect, it, vi } from "vitest";
import type { Design } from "./generated/bulkhead";
import type { DesignOp, FlowVerdict } from "./analysis";
import { applyDesignPatch } from "./model/patch";

/** The shell as `invoke` sees it: holds the designs it is sent under new revisions, forgets on demand. */
const shell = {
  calls: [] as { cmd: string; args: Record<string, unknown> }[],
  held: new Map<number, unknown>(),
  last: 0,
};
vi.mock("@tauri-apps/api/core", () => ({
  invoke: async (cmd: string, args: Record<string, unknown>) => {
    shell.calls.push({ cmd, args });
    await Promise.resolve();
    if (cmd === "set_design") {
      shell.held.set(++shell.last, args.design);
      return shell.last;
    }
    if (cmd === "patch_design") {
      const base = shell.held.get(args.base as number);
      if (base === undefined) throw { code: "stale_revision", message: `no revision ${String(args.base)}` };
      shell.held.set(++shell.last, applyDesignPatch(base as Design, args.ops as DesignOp[]));
      return shell.last;
    }
    if (cmd === "findings") {
      const d = shell.held.get(args.revision as number);
      if (d === undefined) throw { code: "stale_revision", message: `no revision ${String(args.revision)}` };
      return [(d as { name: string }).name];
    }
    if (cmd === "flow_verdicts") {
      if (!shell.held.has(args.revision as number)) throw { code: "stale_revision", message: `no revision ${String(args.revision)}` };
      return [{ flow: `asked about ${String(args.revision)}`, decision: { decision: "deny", reason: "no_rule" } }];
    }
    if (cmd === "validate") throw { code: "invalid_input", message: "no" };
    throw { code: "internal", message: `unexpected ${cmd}` };
  },
}));

const { HeldDesigns, call } = await import("./ipc");
const { smallDesign } = await import("./fixtures/small");

const sent = () => shell.calls.filter((c) => c.cmd === "set_design").length;
const patched = () => shell.calls.filter((c) => c.cmd === "patch_design").length;

describe("the designs the shell holds", () => {
  it("sends a design once however many ask, and names it by the revision the shell gave", async () => {
    shell.calls = [];
    const held = new HeldDesigns();
    const design = smallDesign();
    const answers = await Promise.all([1, 2, 3].map(() => held.ask(design, (revision) => call("findings", { revision }))));
    expect(answers).toEqual([[design.name], [design.name], [design.name]]);
    expect(sent()).toBe(1);
    await held.ask(design, (revision) => call("findings", { revision }));
    expect(sent()).toBe(1);
    // An edit is another design value: held under a new revision, sent as what it changed.
    const edited = { ...design, name: "edited" };
    expect(await held.ask(edited, (revision) => call("findings", { revision }))).toEqual(["edited"]);
    expect([sent(), patched()]).toEqual([1, 1]);
    expect(shell.calls.find((c) => c.cmd === "patch_design")?.args).toEqual({ base: await held.revisionOf(design), ops: [{ op: "set", field: "name", value: "edited" }] });
    expect(await held.revisionOf(edited)).toBeGreaterThan(await held.revisionOf(design));
    // Undo: the earlier design, still held, is named again without sending anything.
    await held.ask(design, (revision) => call("findings", { revision }));
    expect([sent(), patched()]).toEqual([1, 1]);
    // The next edit is a patch of the design undone to, not of the undone edit.
    const again = { ...design, description: "again" };
    await held.ask(again, (revision) => call("findings", { revision }));
    expect(shell.calls.filter((c) => c.cmd === "patch_design").at(-1)?.args).toEqual({ base: await held.revisionOf(design), ops: [{ op: "set", field: "description", value: "again" }] });
  });

  it("sends an edit whole when the shell no longer holds the design it was made from", async () => {
    shell.calls = [];
    const held = new HeldDesigns();
    const design = smallDesign();
    shell.held.delete(await held.revisionOf(design));
    const edited = { ...design, name: "edited" };
    expect(await held.ask(edited, (revision) => call("findings", { revision }))).toEqual(["edited"]);
    expect(shell.calls.map((c) => c.cmd)).toEqual(["set_design", "patch_design", "set_design", "findings"]);
    expect(shell.held.get(await held.revisionOf(edited))).toEqual(edited);
  });

  it("does not send a design the shell answered an open with, and asks about it at once", async () => {
    shell.calls = [];
    const held = new HeldDesigns();
    const design = smallDesign();
    shell.held.set(++shell.last, design);
    held.holds(design, shell.last);
    const answer = held.ask(design, (revision) => call("findings", { revision }));
    // Already on its way before this task ends: not delayed behind what the caller does next.
    expect(shell.calls.map((c) => c.cmd)).toEqual(["findings"]);
    expect(await answer).toEqual([design.name]);
    expect(sent()).toBe(0);
  });

  it("sends the design again when the shell no longer holds it, and asks once more", async () => {
    shell.calls = [];
    const held = new HeldDesigns();
    const design = smallDesign();
    const first = await held.revisionOf(design);
    shell.held.delete(first);
    expect(await held.ask(design, (revision) => call("findings", { revision }))).toEqual([design.name]);
    expect(sent()).toBe(2);
    expect(await held.revisionOf(design)).not.toBe(first);
    // Any other error is the answer: nothing is sent again.
    await expect(held.ask(design, (revision) => call("validate", { revision }))).rejects.toMatchObject({ code: "invalid_input" });
    expect(sent()).toBe(2);
  });

  it("answers the flow verdicts sent with an opened design for that revision once, and asks the shell otherwise", async () => {
    shell.calls = [];
    const held = new HeldDesigns();
    const design = smallDesign();
    shell.held.set(++shell.last, design);
    const revision = shell.last;
    const sentWith: FlowVerdict[] = [{ flow: "sent with the open", decision: { decision: "deny", reason: "no_rule" } as unknown as FlowVerdict["decision"] }];
    held.holds(design, revision, sentWith);
    expect(await held.ask(design, (r) => held.flowVerdicts(r))).toBe(sentWith);
    expect(shell.calls).toEqual([]);
    // Taken once: asked again, the shell answers.
    expect(await held.ask(design, (r) => held.flowVerdicts(r))).toEqual([{ flow: `asked about ${revision}`, decision: { decision: "deny", reason: "no_rule" } }]);
    expect(shell.calls.map((c) => [c.cmd, c.args.revision])).toEqual([["flow_verdicts", revision]]);
    // Never for another revision: an edit of the design is asked about.
    held.holds(design, revision, sentWith);
    const edited = { ...design, name: "edited" };
    const answer = await held.ask(edited, (r) => held.flowVerdicts(r));
    const editedRevision = await held.revisionOf(edited);
    expect(editedRevision).not.toBe(revision);
    expect(answer).toEqual([{ flow: `asked about ${editedRevision}`, decision: { decision: "deny", reason: "no_rule" } }]);
    // Without verdicts (any other open) the shell is asked.
    shell.calls = [];
    const other = smallDesign();
    shell.held.set(++shell.last, other);
    held.holds(other, shell.last, null);
    await held.ask(other, (r) => held.flowVerdicts(r));
    expect(shell.calls.map((c) => c.cmd)).toEqual(["flow_verdicts"]);
  });
});
