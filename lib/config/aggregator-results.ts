import {
  type AggregateComplianceByConfigRule,
  type ConfigServiceClient,
  paginateDescribeAggregateComplianceByConfigRules,
  paginateDescribeConfigurationAggregatorSourcesStatus,
  paginateGetAggregateComplianceDetailsByConfigRule,
} from "@aws-sdk/client-config-service";
import { type OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { ACCOUNT_RESOURCE_TYPE, type ComplianceType, type Evaluation } from "../engine/rule";

/**
 * The organization rules' results in every account and region, read in the administrator account
 * through an organization Config aggregator. An organization rule runs in each member account as a
 * service-linked rule named `OrgConfigRule-<organization rule name>-<suffix>` (e.g.
 * OrgConfigRule-s3-bucket-versioning-enabled-dbgzf8ba, AWS Audit Manager API reference, SourceKeyword);
 * the suffix holds no hyphen.
 */
export const MEMBER_RULE_PREFIX = "OrgConfigRule-";

/** Calls of GetAggregateComplianceDetailsByConfigRule in flight at once: the aggregate APIs throttle early. */
export const DEFAULT_DETAIL_CONCURRENCY = 4;

export interface AggregatorReadOptions {
  aggregatorName: string;
  /** Rule id → OrganizationConfigRuleName of this stage's organization rules. */
  organizationRuleNames: Readonly<Record<string, string>>;
  /** Regions the results are expected in; "all": the regions of the aggregator's sources. */
  regions: readonly string[] | "all";
  /** The organization rules' ExcludedAccounts: Config evaluates nothing there, so nothing is expected. */
  excludedAccounts: readonly string[];
  concurrency?: number;
}

export interface AggregatorResults {
  evaluations: Evaluation[];
  /** Active accounts of the organization, less the excluded ones, sorted. */
  accountIds: string[];
  regions: string[];
  /** Every expected account × region, and any other pair the aggregator returned results for. */
  scopes: { accountId: string; region: string }[];
}

export interface AggregatorClients {
  config: ConfigServiceClient;
  organizations: OrganizationsClient;
}

/** The rule id of a member account's copy of one of our organization rules, or undefined for any other rule. */
export function ruleIdOfMemberRule(memberRuleName: string, ruleIdByOrganizationName: ReadonlyMap<string, string>): string | undefined {
  if (!memberRuleName.startsWith(MEMBER_RULE_PREFIX)) return undefined;
  const rest = memberRuleName.slice(MEMBER_RULE_PREFIX.length);
  const cut = rest.lastIndexOf("-");
  if (cut <= 0 || !/^[A-Za-z0-9]+$/.test(rest.slice(cut + 1))) return undefined;
  return ruleIdByOrganizationName.get(rest.slice(0, cut));
}

/** An AWS call that failed, named, so that the report's failure says which call and why. */
async function step<T>(call: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(`${call} failed: ${name}: ${message.replace(/\s+/g, " ").trim()}`, { cause: error });
  }
}

/**
 * The accounts expected to have results: Organizations' ACTIVE accounts (the organization rules are
 * deployed to every account of the organization, the management account included, unless excluded).
 * Organizations rather than the aggregator's sources status, which has one entry per region for an
 * organization source, not one per account, and so cannot show an account Config never reached.
 */
async function expectedAccounts(organizations: OrganizationsClient, excluded: ReadonlySet<string>): Promise<string[]> {
  return step("organizations:ListAccounts", async () => {
    const accounts: string[] = [];
    for await (const page of paginateListAccounts({ client: organizations }, {})) {
      for (const account of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either says ACTIVE for an account Config runs in.
        const state = account.State ?? account.Status;
        if (account.Id && state === "ACTIVE" && !excluded.has(account.Id)) accounts.push(account.Id);
      }
    }
    if (accounts.length === 0) throw new Error("no ACTIVE account outside organization.excludedAccounts");
    return [...new Set(accounts)].sort();
  });
}

/** The aggregator's source regions, with the last error of each region whose aggregation failed. */
async function sourceRegions(config: ConfigServiceClient, aggregatorName: string): Promise<Map<string, string | undefined>> {
  return step(`config:DescribeConfigurationAggregatorSourcesStatus (${aggregatorName})`, async () => {
    const regions = new Map<string, string | undefined>();
    const pages = paginateDescribeConfigurationAggregatorSourcesStatus({ client: config }, { ConfigurationAggregatorName: aggregatorName });
    for await (const page of pages) {
      for (const source of page.AggregatedSourceStatusList ?? []) {
        if (!source.AwsRegion) continue;
        const failure =
          source.LastUpdateStatus === "FAILED"
            ? `${source.LastErrorCode ?? "error"}: ${source.LastErrorMessage ?? "no message"}`
            : undefined;
        regions.set(source.AwsRegion, regions.get(source.AwsRegion) ?? failure);
      }
    }
    return regions;
  });
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(workers);
}

const COMPLIANCE: ReadonlySet<string> = new Set(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"]);
const pairKey = (accountId: string, region: string) => `${accountId}/${region}`;

interface RuleInAccount {
  ruleId: string;
  memberRuleName: string;
  accountId: string;
  region: string;
  complianceType?: string;
}

/**
 * Every result of this stage's organization rules through the aggregator: all pages of
 * DescribeAggregateComplianceByConfigRules, then, for each rule, account and region Config
 * judged COMPLIANT or NON_COMPLIANT, all pages of GetAggregateComplianceDetailsByConfigRule. A rule
 * with no results in an expected account and region is INSUFFICIENT_DATA there, on the account.
 * Throttling is left to the clients' retry strategy (adaptive, AWS_MAX_ATTEMPTS, lib/aws/clients).
 */
export async function readAggregatorResults(clients: AggregatorClients, options: AggregatorReadOptions): Promise<AggregatorResults> {
  const aggregator = options.aggregatorName;
  const ruleIdByName = new Map(Object.entries(options.organizationRuleNames).map(([ruleId, name]) => [name, ruleId]));
  const accountIds = await expectedAccounts(clients.organizations, new Set(options.excludedAccounts));
  const sources = await sourceRegions(clients.config, aggregator);
  const regions = options.regions === "all" ? [...sources.keys()].sort() : [...new Set(options.regions)].sort();
  if (regions.length === 0) {
    throw new Error(
      `aggregator ${aggregator} reports no source region: cannot tell which regions the organization rules should have results in`,
    );
  }

  const found: RuleInAccount[] = [];
  await step(`config:DescribeAggregateComplianceByConfigRules (${aggregator})`, async () => {
    const pages = paginateDescribeAggregateComplianceByConfigRules({ client: clients.config }, { ConfigurationAggregatorName: aggregator });
    for await (const page of pages) {
      for (const entry of page.AggregateComplianceByConfigRules ?? []) {
        const rule = ours(entry, ruleIdByName);
        if (rule) found.push(rule);
      }
    }
  });

  const evaluations: Evaluation[] = [];
  const judged = new Set<string>();
  const noResults = (rule: RuleInAccount, why: string): Evaluation => ({
    ruleId: rule.ruleId,
    resourceType: ACCOUNT_RESOURCE_TYPE,
    resourceId: rule.accountId,
    region: rule.region,
    accountId: rule.accountId,
    complianceType: "INSUFFICIENT_DATA",
    annotation: why,
  });
  await eachBounded(found, options.concurrency ?? DEFAULT_DETAIL_CONCURRENCY, async (rule) => {
    judged.add(`${rule.ruleId}|${pairKey(rule.accountId, rule.region)}`);
    if (rule.complianceType !== "COMPLIANT" && rule.complianceType !== "NON_COMPLIANT") {
      evaluations.push(
        noResults(rule, `AWS Config has no results for rule ${rule.memberRuleName} in account ${rule.accountId}, ${rule.region} yet`),
      );
      return;
    }
    const results = await detailsOf(clients.config, aggregator, rule);
    evaluations.push(
      ...(results.length > 0
        ? results
        : [
            noResults(
              rule,
              `AWS Config calls rule ${rule.memberRuleName} ${rule.complianceType} in account ${rule.accountId}, ${rule.region} but returned no result`,
            ),
          ]),
    );
  });

  const scopes = new Map<string, { accountId: string; region: string }>();
  for (const accountId of accountIds) {
    for (const region of regions) {
      scopes.set(pairKey(accountId, region), { accountId, region });
      for (const [name, ruleId] of ruleIdByName) {
        if (judged.has(`${ruleId}|${pairKey(accountId, region)}`)) continue;
        const failure = sources.get(region);
        evaluations.push(
          noResults(
            { ruleId, memberRuleName: name, accountId, region },
            `No result through aggregator ${aggregator} for organization rule ${name} in account ${accountId}, ${region}: ` +
              (failure
                ? `the aggregator's last collection there failed (${failure})`
                : "the rule is not deployed there, AWS Config is not recording there, or the aggregator has not collected it yet"),
          ),
        );
      }
    }
  }
  for (const evaluation of evaluations) {
    const key = pairKey(evaluation.accountId, evaluation.region);
    if (!scopes.has(key)) scopes.set(key, { accountId: evaluation.accountId, region: evaluation.region });
  }
  return { evaluations, accountIds, regions, scopes: [...scopes.values()] };
}

function ours(entry: AggregateComplianceByConfigRule, ruleIdByName: ReadonlyMap<string, string>): RuleInAccount | undefined {
  if (!entry.ConfigRuleName || !entry.AccountId || !entry.AwsRegion) return undefined;
  const ruleId = ruleIdOfMemberRule(entry.ConfigRuleName, ruleIdByName);
  if (!ruleId) return undefined;
  return {
    ruleId,
    memberRuleName: entry.ConfigRuleName,
    accountId: entry.AccountId,
    region: entry.AwsRegion,
    complianceType: entry.Compliance?.ComplianceType,
  };
}

/** Every page of one rule's results in one account and region. */
async function detailsOf(config: ConfigServiceClient, aggregator: string, rule: RuleInAccount): Promise<Evaluation[]> {
  return step(`config:GetAggregateComplianceDetailsByConfigRule (${rule.memberRuleName}, ${rule.accountId}, ${rule.region})`, async () => {
    const evaluations: Evaluation[] = [];
    const pages = paginateGetAggregateComplianceDetailsByConfigRule(
      { client: config, pageSize: 100 },
      { ConfigurationAggregatorName: aggregator, ConfigRuleName: rule.memberRuleName, AccountId: rule.accountId, AwsRegion: rule.region },
    );
    for await (const page of pages) {
      for (const result of page.AggregateEvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (!qualifier?.ResourceId || !qualifier.ResourceType || !COMPLIANCE.has(result.ComplianceType ?? "")) continue;
        evaluations.push({
          ruleId: rule.ruleId,
          resourceType: qualifier.ResourceType,
          resourceId: qualifier.ResourceId,
          region: result.AwsRegion ?? rule.region,
          accountId: result.AccountId ?? rule.accountId,
          complianceType: result.ComplianceType as ComplianceType,
          annotation: result.Annotation ?? "",
        });
      }
    }
    return evaluations;
  });
}
