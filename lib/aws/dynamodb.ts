import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AwsClients } from "./clients";

export const dynamodbClient = (aws: AwsClients): DynamoDBClient => aws.make(DynamoDBClient, "dynamodb");
