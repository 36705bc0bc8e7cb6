import {
  type AnyRule,
  type ComplianceType,
  type Evaluation,
  parseRuleParameters,
  type Rule,
  RuleParameterError,
} from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import type { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import { EC2_OPERATIONS, type Ec2Operation, RESOURCE_KINDS } from "../../lib/model/kinds";
import { ModelBuilder, type ResourceModel } from "../../lib/model/resource-model";
import type { ResourceKind } from "../../lib/model/types";
import { ec2ItemToConfigItem } from "../../lib/sources/config-item-builder";
import { type ConfigItemShape, configItemToRecords } from "../../lib/sources/config-items";
import { normalizeEc2Item } from "../../lib/sources/ec2-adapter";
import type * as z from "../../lib/zod";

export const TEST_ACCOUNT = "111122223333";
export const TEST_REGION = "eu-west-1";

/**
 * An account as the EC2 API describes it: Describe* responses (PascalCase, pages merged) keyed by
 * operation, e.g. `{ DescribeAddresses: { Addresses: [...] } }`. Kinds not listed count as
 * collected and empty, unless named in `missing`.
 */
export interface Ec2Fixture {
  region?: string;
  accountId?: string;
  responses: Partial<Record<Ec2Operation, Record<string, unknown>>>;
  missing?: ResourceKind[];
}

function itemsOf(operation: Ec2Operation, response: Record<string, unknown> | undefined): unknown[] {
  const list = response?.[EC2_OPERATIONS[operation].listKey];
  return Array.isArray(list) ? list : [];
}

function scopeOf(fixture: Ec2Fixture) {
  return { region: fixture.region ?? TEST_REGION, accountId: fixture.accountId ?? TEST_ACCOUNT };
}

function markCoverage(builder: ModelBuilder, fixture: Ec2Fixture): void {
  const scope = scopeOf(fixture);
  for (const kind of RESOURCE_KINDS) {
    if (fixture.missing?.includes(kind)) builder.markGap(scope, kind, "not in the test fixture");
    else builder.markCollected(scope, kind);
  }
}

/** The model as the EC2-API adapter builds it. */
export function modelFromEc2(fixture: Ec2Fixture): ResourceModel {
  const builder = new ModelBuilder();
  const scope = scopeOf(fixture);
  for (const [operation, response] of Object.entries(fixture.responses) as [Ec2Operation, Record<string, unknown>][]) {
    for (const item of itemsOf(operation, response)) {
      for (const record of normalizeEc2Item(operation, item, scope)) builder.add(record);
    }
  }
  markCoverage(builder, fixture);
  return builder.build();
}

/** The model as the Config-item adapter builds it, from the same resources as configuration items. */
export function modelFromConfigItems(fixture: Ec2Fixture, shape: ConfigItemShape): ResourceModel {
  const builder = new ModelBuilder();
  const scope = scopeOf(fixture);
  for (const [operation, response] of Object.entries(fixture.responses) as [Ec2Operation, Record<string, unknown>][]) {
    for (const item of itemsOf(operation, response)) {
      // Kinds AWS Config does not record: offline they come from a recorded snapshot given alongside.
      if (!EC2_OPERATIONS[operation].recordedByConfig) {
        for (const record of normalizeEc2Item(operation, item, scope)) builder.add(record);
        continue;
      }
      for (const configItem of ec2ItemToConfigItem(operation, item, scope, shape)) {
        const result = configItemToRecords(configItem);
        for (const record of result.records) builder.add(record);
      }
    }
  }
  markCoverage(builder, fixture);
  return builder.build();
}

export interface ExpectedVerdict {
  resourceId: string;
  complianceType: ComplianceType;
  /** A substring or pattern the annotation must contain. */
  annotation?: string | RegExp;
}

export interface RuleCase {
  name: string;
  fixture: Ec2Fixture;
  params?: Record<string, unknown>;
  exemptions?: ExemptionPolicy;
  /** Every evaluation the rule must give, and no others. */
  expected: ExpectedVerdict[];
}

const byResource = (a: Evaluation, b: Evaluation) =>
  a.resourceId.localeCompare(b.resourceId) || a.resourceType.localeCompare(b.resourceType);

/** Runs one rule through the engine on a model, sorted so results compare across adapters. */
export function evaluateRule(rule: AnyRule, model: ResourceModel, params?: Record<string, unknown>, exemptions?: ExemptionPolicy) {
  return runRules(model, { rules: [rule], params: { [rule.meta.id]: params }, exemptions }).sort(byResource);
}

/**
 * ESLint-RuleTester-style harness: each case runs through the EC2 adapter and through both
 * Config-item shapes; all three must give exactly the expected verdicts, and identical
 * annotations, so the Lambda, the CLI and the reports can never disagree.
 */
export function testRule(rule: AnyRule, cases: RuleCase[]): void {
  describe(`rule ${rule.meta.id}`, () => {
    for (const ruleCase of cases) {
      it(ruleCase.name, () => {
        const viaEc2 = evaluateRule(rule, modelFromEc2(ruleCase.fixture), ruleCase.params, ruleCase.exemptions);
        const expected = [...ruleCase.expected].sort((a, b) => a.resourceId.localeCompare(b.resourceId));
        expect(viaEc2.map(({ resourceId, complianceType }) => ({ resourceId, complianceType }))).toEqual(
          expected.map(({ resourceId, complianceType }) => ({ resourceId, complianceType })),
        );
        for (const want of expected) {
          if (want.annotation === undefined) continue;
          const got = viaEc2.find((evaluation) => evaluation.resourceId === want.resourceId);
          if (typeof want.annotation === "string") expect(got?.annotation).toContain(want.annotation);
          else expect(got?.annotation).toMatch(want.annotation);
        }
        for (const evaluation of viaEc2) {
          // Any length: only what goes to Config is cut to its 256 characters (lib/config/put-evaluations.ts).
          expect(evaluation.annotation.length).toBeGreaterThan(0);
        }
        for (const shape of ["notification", "api"] as const) {
          const viaConfig = evaluateRule(rule, modelFromConfigItems(ruleCase.fixture, shape), ruleCase.params, ruleCase.exemptions);
          expect(viaConfig).toEqual(viaEc2);
        }
      });
    }
  });
}

export interface RuleParameterCases<Schema extends z.ZodMiniType> {
  /** What no parameters at all parse to. */
  defaults: z.output<Schema>;
  /** Raw parameters (Config passes strings) and the parameters they set; all others must stay at their defaults. */
  accepted?: [raw: Record<string, unknown>, parsed: Partial<z.output<Schema>>][];
  /** Raw parameters that must be refused, with the parameter and value the error must name. */
  invalid: [label: string, raw: Record<string, unknown>, parameter: string, value: unknown][];
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * The parameter tests every rule needs: defaults, accepted forms, each refused value named in a
 * RuleParameterError, and runRules refusing them before the rule evaluates anything.
 */
export function testRuleParameters<Schema extends z.ZodMiniType>(rule: Rule<Schema>, cases: RuleParameterCases<Schema>): void {
  const ruleId = rule.meta.id;
  describe(`${ruleId} parameters`, () => {
    it("defaults", () => {
      expect(parseRuleParameters(rule, {})).toEqual(cases.defaults);
    });

    for (const [raw, parsed] of cases.accepted ?? []) {
      it(`accepts ${JSON.stringify(raw)}`, () => {
        expect(parseRuleParameters(rule, raw)).toEqual({ ...(cases.defaults as Record<string, unknown>), ...parsed });
      });
    }

    for (const [label, raw, parameter, value] of cases.invalid) {
      it(`rejects ${label} (${JSON.stringify(raw)}), naming the parameter and value`, () => {
        const thrown = thrownBy(() => parseRuleParameters(rule, raw));
        expect(thrown).toBeInstanceOf(RuleParameterError);
        expect(thrown).toMatchObject({ ruleId, parameter, value });
        expect((thrown as Error).message).toContain(`invalid parameter "${parameter}" = ${JSON.stringify(value)}`);
      });
    }

    it("makes runRules throw on each rejected value before evaluating anything", () => {
      const builder = new ModelBuilder();
      for (const kind of rule.meta.requires) builder.markCollected({ region: TEST_REGION, accountId: TEST_ACCOUNT }, kind);
      const model = builder.build();
      const evaluate = jest.spyOn(rule, "evaluate");
      try {
        runRules(model, { rules: [rule] });
        expect(evaluate).toHaveBeenCalledTimes(1);
        evaluate.mockClear();
        for (const [, raw, parameter, value] of cases.invalid) {
          const thrown = thrownBy(() => runRules(model, { rules: [rule], params: { [ruleId]: raw } }));
          expect(thrown).toBeInstanceOf(RuleParameterError);
          expect((thrown as Error).message).toContain(`invalid parameter "${parameter}" = ${JSON.stringify(value)}`);
        }
        expect(evaluate).not.toHaveBeenCalled();
      } finally {
        evaluate.mockRestore();
      }
    });
  });
}
