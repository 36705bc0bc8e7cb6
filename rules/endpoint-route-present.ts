import { booleanParam, defineRule, type Evaluation, enumParam, listIds, listParam, verdict } from "../lib/engine/rule";
import type { ResourceModel } from "../lib/model/resource-model";
import type { Route, RouteTable, Subnet, VpcEndpoint } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "endpoint-route-present";

/** The services that offer gateway VPC endpoints. */
const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;

const parameters = z.strictObject({
  /**
   * Services whose gateway endpoints must be routed (the last segment of com.amazonaws.<region>.<service>):
   * only S3 and DynamoDB have gateway endpoints, and a name outside them would check nothing.
   */
  services: listParam(z.enum(GATEWAY_ENDPOINT_SERVICES), [...GATEWAY_ENDPOINT_SERVICES]),
  /** private: only route tables serving a private subnet; all: every route table. */
  scope: enumParam(["private", "all"], "private"),
  /** A VPC with private subnets must have a gateway endpoint for each listed service. */
  requireEndpoint: booleanParam(false),
  /** Interface endpoints must have private DNS on, or clients using the default hostname bypass them. */
  requirePrivateDns: booleanParam(true),
});

type Params = z.output<typeof parameters>;

/** `com.amazonaws.eu-west-1.s3` → `s3`; prefix lists of AWS services carry the same name. */
const serviceOf = (name: string): string => name.slice(name.lastIndexOf(".") + 1).toLowerCase();

const isActive = (route: Route) => (route.state ?? "active").toLowerCase() === "active";

/** The active default route to an internet gateway that makes a table public, if any. */
const internetRoute = (table: RouteTable): Route | undefined =>
  table.routes.find(
    (route) => route.destinationCidrBlock === "0.0.0.0/0" && route.gatewayId?.startsWith("igw-") === true && isActive(route),
  );

/** EC2 sends the state lowercase (`available`, as the vpc-endpoint-state filter lists it) but the SDK enum is `Available`: compare lowercased. */
const isAvailable = (endpoint: VpcEndpoint) => endpoint.state.toLowerCase() === "available";

const isGatewayEndpoint = (endpoint: VpcEndpoint) => endpoint.type.toLowerCase() === "gateway";

/** How subnets are named in annotations: explicit ones, then the ones the main table serves implicitly. */
function describeSubnets(subnets: readonly { subnet: Subnet; explicit: boolean }[]): string {
  const explicit = subnets.filter((entry) => entry.explicit).map((entry) => entry.subnet.id);
  const implicit = subnets.filter((entry) => !entry.explicit).map((entry) => entry.subnet.id);
  const parts: string[] = [];
  if (explicit.length > 0) parts.push(listIds(explicit, 3));
  if (implicit.length > 0) parts.push(`${listIds(implicit, 3)} via main table`);
  return parts.join("; ");
}

/**
 * The service a gateway-endpoint route leads to: from its prefix list's name when prefix lists
 * were read, else from the endpoint it targets; undefined when both are gone.
 */
function routeService(model: ResourceModel, table: RouteTable, route: Route): string | undefined {
  const prefixList = route.destinationPrefixListId ? model.prefixList(route.destinationPrefixListId, table) : undefined;
  if (prefixList) return serviceOf(prefixList.name);
  const endpoint = route.gatewayId ? model.get("vpc-endpoint", route.gatewayId, table) : undefined;
  return endpoint ? serviceOf(endpoint.serviceName) : undefined;
}

const isEndpointRoute = (route: Route) => route.destinationPrefixListId !== undefined && route.gatewayId?.startsWith("vpce-") === true;

/** What is wrong with one table for one service, or undefined when it routes there or the service does not apply. */
function serviceProblem(
  model: ResourceModel,
  table: RouteTable,
  service: string,
  params: Params,
  vpcHasPrivateSubnets: boolean,
): { problem?: string; routedVia?: string } {
  const endpoints = model
    .endpointsInVpc(table.vpcId, table)
    .filter((endpoint) => isGatewayEndpoint(endpoint) && isAvailable(endpoint) && serviceOf(endpoint.serviceName) === service);
  const endpointIds = new Set(endpoints.map((endpoint) => endpoint.id));
  const routes = table.routes.filter(isEndpointRoute);
  // With the prefix list unknown (not collected), the endpoint id alone identifies the service.
  const good = routes.find((route) => {
    if (!isActive(route) || !endpointIds.has(route.gatewayId ?? "")) return false;
    const prefixList = model.prefixList(route.destinationPrefixListId ?? "", table);
    return prefixList === undefined || serviceOf(prefixList.name) === service;
  });
  if (good) return { routedVia: `${service} via ${good.gatewayId}` };

  const broken = routes.find((route) => !isActive(route) && routeService(model, table, route) === service);
  if (broken) {
    const target = endpointIds.has(broken.gatewayId ?? "") ? "" : ", endpoint gone";
    return {
      problem: `${service} route to ${broken.destinationPrefixListId} via ${broken.gatewayId} is ${broken.state}${target}`,
    };
  }
  if (endpoints.length > 0) {
    const wrongTarget = routes.find((route) => isActive(route) && routeService(model, table, route) === service);
    const why = wrongTarget ? ` (routes via ${wrongTarget.gatewayId}, not an endpoint of this VPC)` : "";
    return { problem: `${service}: no active route to endpoint ${listIds([...endpointIds], 2)}${why}` };
  }
  if (params.requireEndpoint && vpcHasPrivateSubnets) {
    return { problem: `${service}: ${table.vpcId} has private subnets but no available gateway endpoint` };
  }
  return {};
}

/** A VPC within its account: two accounts may hold the same VPC id (a shared VPC). */
const vpcKey = (table: RouteTable): string => `${table.accountId}/${table.vpcId}`;

function judgeRouteTable(model: ResourceModel, table: RouteTable, params: Params, privateVpcs: ReadonlySet<string>): Evaluation {
  const subnets = model.subnetsUsingRouteTable(table.id, table);
  const internet = internetRoute(table);
  let role = "";
  if (subnets.length === 0) role = "serves no subnet";
  else if (internet) role = `public (0.0.0.0/0 via ${internet.gatewayId})`;
  if (role && params.scope === "private") return verdict(RULE_ID, table, "NOT_APPLICABLE", `Route table ${role}`);

  const problems: string[] = [];
  const routed: string[] = [];
  for (const service of params.services) {
    const outcome = serviceProblem(model, table, service, params, privateVpcs.has(vpcKey(table)));
    if (outcome.problem) problems.push(outcome.problem);
    if (outcome.routedVia) routed.push(outcome.routedVia);
  }
  // Dangling routes whose prefix list and endpoint are both gone: traffic to some service is dropped.
  const orphans = table.routes.filter(
    (route) => isEndpointRoute(route) && !isActive(route) && routeService(model, table, route) === undefined,
  );
  for (const route of orphans) {
    problems.push(`route to ${route.destinationPrefixListId} via ${route.gatewayId} is ${route.state} (endpoint gone)`);
  }
  const served = role || `serves ${describeSubnets(subnets)}`;
  if (problems.length > 0) {
    const affected = role ? `Table ${role}` : `Private subnets affected: ${describeSubnets(subnets)}`;
    return verdict(RULE_ID, table, "NON_COMPLIANT", `${problems.join("; ")}. ${affected}`);
  }
  if (routed.length > 0) return verdict(RULE_ID, table, "COMPLIANT", `Routes ${routed.join(", ")}; ${served}`);
  return verdict(
    RULE_ID,
    table,
    "NOT_APPLICABLE",
    `No available gateway endpoint for ${params.services.join("/")} in ${table.vpcId}; ${served}`,
  );
}

/** Why a requester-managed endpoint is not judged; remediation gives the same reason. */
export const REQUESTER_MANAGED = "requester-managed: created by an AWS service; the account cannot change its private DNS";

/**
 * Interface endpoints are judged on private DNS, except requester-managed ones (Transfer Family,
 * for example, creates them in the account's VPC; only the service can modify them). Gateway endpoints are NOT_APPLICABLE here on
 * purpose: their routes live in the route tables, which are judged (and changed, and so
 * re-evaluated) themselves, and a second finding on the endpoint for the same missing route
 * would only double the alert.
 */
function judgeEndpoint(endpoint: VpcEndpoint, params: Params): Evaluation {
  const type = endpoint.type.toLowerCase();
  if (type === "gateway") {
    return verdict(RULE_ID, endpoint, "NOT_APPLICABLE", `Gateway endpoint: its routes are judged on the route tables of ${endpoint.vpcId}`);
  }
  if (type !== "interface") return verdict(RULE_ID, endpoint, "NOT_APPLICABLE", `Endpoint type ${type} is not checked`);
  if (endpoint.requesterManaged === true) {
    return verdict(RULE_ID, endpoint, "NOT_APPLICABLE", `Interface endpoint is ${REQUESTER_MANAGED}`);
  }
  if (!isAvailable(endpoint)) {
    return verdict(RULE_ID, endpoint, "NOT_APPLICABLE", `Interface endpoint is ${endpoint.state}, not available`);
  }
  if (endpoint.privateDnsEnabled === true) {
    return verdict(RULE_ID, endpoint, "COMPLIANT", `Private DNS is enabled for ${endpoint.serviceName}`);
  }
  const why = `Private DNS is disabled for ${endpoint.serviceName}: clients using its default hostname bypass the endpoint`;
  return verdict(RULE_ID, endpoint, params.requirePrivateDns ? "NON_COMPLIANT" : "COMPLIANT", why);
}

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "Route tables of private subnets route S3/DynamoDB traffic through their VPC's gateway endpoint (active prefix-list route), and interface endpoints have private DNS enabled.",
    failsWhen:
      "a route table serving a private subnet has no active route to its VPC's S3/DynamoDB gateway endpoint (main-table fallback, blackholes); an interface endpoint has private DNS off (requester-managed endpoints, which only their AWS service can change, are not judged)",
    resourceTypes: ["AWS::EC2::RouteTable", "AWS::EC2::VPCEndpoint"],
    triggers: ["periodic", "change"],
    severity: "medium",
    controls: [],
    requires: ["route-table", "subnet", "vpc-endpoint"],
    optional: ["prefix-list"],
    parameters,
    remediation: {
      summary:
        "Associate the route table with the VPC's gateway endpoint (ModifyVpcEndpoint AddRouteTableIds) or replace a blackhole route; enable private DNS on interface endpoints.",
    },
    docs: "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
  },
  evaluate({ model, params }) {
    // VPCs that hold at least one private subnet (by vpcKey), for requireEndpoint.
    const privateVpcs = new Set<string>();
    for (const table of model.all("route-table")) {
      if (model.subnetsUsingRouteTable(table.id, table).length > 0 && !internetRoute(table)) privateVpcs.add(vpcKey(table));
    }
    const evaluations: Evaluation[] = [];
    for (const table of model.all("route-table")) evaluations.push(judgeRouteTable(model, table, params, privateVpcs));
    for (const endpoint of model.all("vpc-endpoint")) evaluations.push(judgeEndpoint(endpoint, params));
    return evaluations;
  },
});
