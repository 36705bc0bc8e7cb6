import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSampleEvent } from "../../lib/cli/commands/event";
import { main } from "../../lib/cli/main";
import type { Evaluation } from "../../lib/engine/rule";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import { findRule } from "../../rules";
import { useMotoAccount } from "./moto-server";

// Real HTTP against moto's server, started once for this file. Everything below goes through
// the SDK's standard endpoint configuration (AWS_ENDPOINT_URL), as a user's `invoke` would.
const REGION = "eu-west-1";
const { account: created, motoIt } = useMotoAccount(REGION);

/** Builds a sample event as `ec2-config-rules event` does, then runs the rule's real handler. */
async function invoke(ruleId: string, type: "scheduled" | "change" | "oversized", resource?: string) {
  const rule = findRule(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const event = await buildSampleEvent(ruleId, { type, resource, region: REGION, resultToken: "TESTMODE", status: "OK" });
  return createRuleHandler(rule)(event, localContext(ruleId));
}

const verdictOf = (evaluations: Evaluation[], id: string) => evaluations.find((e) => e.resourceId === id)?.complianceType;

describe("periodic runs against moto over HTTP (TestMode)", () => {
  motoIt("eip-attached", async () => {
    const result = await invoke("eip-attached", "scheduled");
    expect(result.testMode).toBe(true);
    expect(result.accountId).toBe("123456789012");
    expect(verdictOf(result.evaluations, created.attachedEip as string)).toBe("COMPLIANT");
    expect(verdictOf(result.evaluations, created.idleEip as string)).toBe("NON_COMPLIANT");
    expect(result.putEvaluationsCalls).toBe(1);
  });

  motoIt("ec2-no-public-ip", async () => {
    const result = await invoke("ec2-no-public-ip", "scheduled");
    // The instance holding the EIP has a public address; the other was launched in a subnet without auto-assign.
    expect(verdictOf(result.evaluations, created.imdsv1 as string)).toBe("NON_COMPLIANT");
    expect(verdictOf(result.evaluations, created.imdsv2 as string)).toBe("COMPLIANT");
  });

  motoIt("imdsv2-required", async () => {
    const result = await invoke("imdsv2-required", "scheduled");
    expect(verdictOf(result.evaluations, created.imdsv1 as string)).toBe("NON_COMPLIANT");
    expect(verdictOf(result.evaluations, created.imdsv2 as string)).toBe("COMPLIANT");
  });

  motoIt("sg-attached-to-eni", async () => {
    const result = await invoke("sg-attached-to-eni", "scheduled");
    expect(verdictOf(result.evaluations, created.usedGroup as string)).toBe("COMPLIANT");
    expect(verdictOf(result.evaluations, created.unusedGroup as string)).toBe("NON_COMPLIANT");
  });

  motoIt("endpoint-route-present", async () => {
    const result = await invoke("endpoint-route-present", "scheduled");
    // moto adds the S3 prefix-list route to the table given at endpoint creation, as AWS does.
    expect(result.evaluations.find((e) => e.resourceId === created.routeTable)).toEqual(
      expect.objectContaining({ complianceType: "COMPLIANT", annotation: expect.stringContaining(created.endpoint as string) }),
    );
  });

  motoIt("placement-group-limits: moto has no DescribePlacementGroups, so the run fails instead of judging", async () => {
    const previous = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = "1"; // moto's error page is not retryable data; don't wait out the backoff.
    try {
      await expect(invoke("placement-group-limits", "scheduled")).rejects.toThrow(
        /ec2:DescribePlacementGroups failed in 123456789012\/eu-west-1/,
      );
    } finally {
      if (previous === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = previous;
    }
  });
});

describe("change events against moto", () => {
  motoIt("ec2-no-public-ip and imdsv2-required on an instance, eip-attached on an address", async () => {
    expect((await invoke("ec2-no-public-ip", "change", created.imdsv1)).evaluations).toEqual([
      expect.objectContaining({ resourceId: created.imdsv1, complianceType: "NON_COMPLIANT" }),
    ]);
    expect((await invoke("imdsv2-required", "change", created.imdsv2)).evaluations).toEqual([
      expect.objectContaining({ resourceId: created.imdsv2, complianceType: "COMPLIANT" }),
    ]);
    expect((await invoke("eip-attached", "change", created.idleEip)).evaluations).toEqual([
      expect.objectContaining({ resourceId: created.idleEip, complianceType: "NON_COMPLIANT" }),
    ]);
  });

  motoIt("endpoint-route-present on a route table", async () => {
    const result = await invoke("endpoint-route-present", "change", created.routeTable);
    expect(result.evaluations).toHaveLength(1);
    expect(result.evaluations[0]?.resourceId).toBe(created.routeTable);
  });

  motoIt("oversized: moto's GetResourceConfigHistory knows no EC2 resources, so the run fails", async () => {
    await expect(invoke("imdsv2-required", "oversized", created.imdsv1)).rejects.toThrow(/unknown or has not been discovered/);
  });
});

describe("the CLI: event then invoke, against moto", () => {
  /** Runs the CLI in-process, returning its exit code and what it wrote to stdout. */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = "";
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const previousExitCode = process.exitCode;
    try {
      const code = await main(["node", "ec2-config-rules", ...args]);
      return { code, stdout };
    } finally {
      write.mockRestore();
      stderr.mockRestore();
      process.exitCode = previousExitCode;
    }
  }

  motoIt("prints the posted evaluations as the evaluate --format json array, exit 1 on a violation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "invoke-"));
    try {
      const file = join(dir, "event.json");
      expect(
        (await cli("event", "imdsv2-required", "--type", "change", "--resource", created.imdsv1 as string, "--region", REGION, "-o", file))
          .code,
      ).toBe(0);
      expect(JSON.parse(readFileSync(file, "utf8")).resultToken).toBe("TESTMODE");
      const { code, stdout } = await cli("invoke", "imdsv2-required", "--event", file, "--format", "json");
      expect(code).toBe(1);
      const rows = JSON.parse(stdout);
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0])).toEqual(["ruleId", "resourceType", "resourceId", "region", "accountId", "complianceType", "annotation"]);
      expect(rows[0]).toMatchObject({
        ruleId: "imdsv2-required",
        resourceId: created.imdsv1,
        complianceType: "NON_COMPLIANT",
        accountId: "123456789012",
      });

      const compliant = join(dir, "compliant.json");
      await cli(
        "event",
        "imdsv2-required",
        "--type",
        "change",
        "--resource",
        created.imdsv2 as string,
        "--region",
        REGION,
        "-o",
        compliant,
      );
      expect((await cli("invoke", "imdsv2-required", "--event", compliant, "--format", "json")).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  motoIt("exits 2 naming the file and field of a malformed event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "invoke-"));
    try {
      const file = join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ invokingEvent: "{", resultToken: "TESTMODE", accountId: "123456789012" }));
      const stderr: string[] = [];
      const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        stderr.push(String(chunk));
        return true;
      });
      try {
        expect(await main(["node", "ec2-config-rules", "invoke", "eip-attached", "--event", file])).toBe(2);
      } finally {
        spy.mockRestore();
      }
      expect(stderr.join("")).toContain(`${file}: field invokingEvent: invalid Config event: not valid JSON`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
