import type { ResourceModel } from "../lib/model/resource-model";
import type { Route, RouteTable, VpcEndpoint } from "../lib/model/types";
import { REQUESTER_MANAGED } from "../rules/endpoint-route-present";
import { type PlannedCall, plannedAction, type RemediationAction } from "./types";

const serviceOf = (name: string): string => name.slice(name.lastIndexOf(".") + 1).toLowerCase();
const isActive = (route: Route) => (route.state ?? "active").toLowerCase() === "active";
const isEndpointRoute = (route: Route) => route.destinationPrefixListId !== undefined && route.gatewayId?.startsWith("vpce-") === true;

function gatewayEndpoints(model: ResourceModel, table: RouteTable, service: string): VpcEndpoint[] {
  return model
    .endpointsInVpc(table.vpcId, table)
    .filter(
      (endpoint) =>
        endpoint.type.toLowerCase() === "gateway" &&
        endpoint.state.toLowerCase() === "available" &&
        serviceOf(endpoint.serviceName) === service,
    );
}

/** The service a dead endpoint route was for: from its prefix list, else from the endpoint it names. */
function routeService(model: ResourceModel, table: RouteTable, route: Route): string | undefined {
  const list = route.destinationPrefixListId ? model.prefixList(route.destinationPrefixListId, table) : undefined;
  if (list) return serviceOf(list.name);
  const endpoint = route.gatewayId ? model.get("vpc-endpoint", route.gatewayId, table) : undefined;
  return endpoint ? serviceOf(endpoint.serviceName) : undefined;
}

function planRouteTable(table: RouteTable, model: ResourceModel, services: readonly string[]) {
  const calls: PlannedCall[] = [];
  const reasons: string[] = [];
  const manualSteps: string[] = [];
  const deleted = new Set<string>();
  const deadRoute = (route: Route) => {
    if (!route.destinationPrefixListId || deleted.has(route.destinationPrefixListId)) return;
    deleted.add(route.destinationPrefixListId);
    calls.push({
      operation: "DeleteRoute",
      parameters: { RouteTableId: table.id, DestinationPrefixListId: route.destinationPrefixListId },
    });
    reasons.push(
      `delete the ${route.state} route to ${route.destinationPrefixListId} via ${route.gatewayId} (endpoint gone), which drops that traffic`,
    );
  };
  for (const service of services) {
    const endpoints = gatewayEndpoints(model, table, service);
    const ids = new Set(endpoints.map((endpoint) => endpoint.id));
    const routes = table.routes.filter(isEndpointRoute);
    if (routes.some((route) => isActive(route) && ids.has(route.gatewayId ?? ""))) continue;
    const target = endpoints[0];
    if (!target) {
      manualSteps.push(
        `No available ${service} gateway endpoint in ${table.vpcId}: aws ec2 create-vpc-endpoint --vpc-id ${table.vpcId} --vpc-endpoint-type Gateway --service-name com.amazonaws.${table.region}.${service} --route-table-ids ${table.id}`,
      );
      continue;
    }
    // A dead route to the same prefix list would block the endpoint's own route: remove it first.
    for (const route of routes) if (!isActive(route) && routeService(model, table, route) === service) deadRoute(route);
    calls.push({ operation: "ModifyVpcEndpoint", parameters: { VpcEndpointId: target.id, AddRouteTableIds: [table.id] } });
    reasons.push(`add ${table.id} to ${service} endpoint ${target.id}, which adds its prefix-list route`);
  }
  for (const route of table.routes) {
    if (isEndpointRoute(route) && !isActive(route) && routeService(model, table, route) === undefined) deadRoute(route);
  }
  return { calls, reasons, manualSteps };
}

/**
 * Routes a private subnet's table through its VPC's gateway endpoints (ModifyVpcEndpoint
 * AddRouteTableIds, after removing a dead route to the same prefix list), and turns on private
 * DNS on an interface endpoint. A missing endpoint is only proposed, never created.
 */
const endpointRoutePresent: RemediationAction = {
  ruleId: "endpoint-route-present",
  automatic: true,
  plan(evaluation, model, params) {
    if (evaluation.resourceType === "AWS::EC2::VPCEndpoint") {
      const endpoint = model.get("vpc-endpoint", evaluation.resourceId, evaluation);
      if (endpoint?.type.toLowerCase() !== "interface") {
        return plannedAction(evaluation, { status: "skip", why: `Interface endpoint ${evaluation.resourceId} is not in the input` });
      }
      if (endpoint.requesterManaged === true) {
        return plannedAction(evaluation, { status: "skip", why: `Interface endpoint ${endpoint.id} is ${REQUESTER_MANAGED}` });
      }
      return plannedAction(evaluation, {
        status: "fix",
        calls: [{ operation: "ModifyVpcEndpoint", parameters: { VpcEndpointId: endpoint.id, PrivateDnsEnabled: true } }],
        why: `Private DNS is off on ${endpoint.id} (${endpoint.serviceName}): enabling it sends clients of the default hostname through the endpoint. Needs enableDnsSupport and enableDnsHostnames on ${endpoint.vpcId}`,
      });
    }
    const table = model.get("route-table", evaluation.resourceId, evaluation);
    if (!table) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `Route table ${evaluation.resourceId} is not in the input, so nothing can be checked`,
      });
    }
    const services = Array.isArray(params.services) ? (params.services as string[]) : ["s3", "dynamodb"];
    const { calls, reasons, manualSteps } = planRouteTable(table, model, services);
    if (calls.length === 0) {
      return plannedAction(evaluation, { status: "manual", why: `${table.id}: ${evaluation.annotation}`, manualSteps });
    }
    return plannedAction(evaluation, { status: "fix", calls, why: `${table.id}: ${reasons.join("; ")}`, manualSteps });
  },
};

export default endpointRoutePresent;
