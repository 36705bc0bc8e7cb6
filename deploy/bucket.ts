import type { CfnValue } from "./iam";

/** CloudFormation references to a bucket built by {@link addPrivateBucket}. */
export interface BucketRefs {
  bucket: CfnValue;
  bucketArn: CfnValue;
  objectsArn: CfnValue;
}

/**
 * An encrypted bucket that blocks public access, owns its objects, expires them after
 * `expirationDays` and refuses plain HTTP and TLS below 1.2; its policy is `<logicalId>Policy`.
 */
export function addPrivateBucket(
  resources: Record<string, unknown>,
  logicalId: string,
  lifecycle: { ruleId: string; expirationDays: number },
): BucketRefs {
  const refs = {
    bucket: { Ref: logicalId },
    bucketArn: { "Fn::GetAtt": [logicalId, "Arn"] },
    objectsArn: { "Fn::Sub": `\${${logicalId}.Arn}/*` },
  };
  resources[logicalId] = {
    Type: "AWS::S3::Bucket",
    Properties: {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: lifecycle.ruleId,
            Status: "Enabled",
            ExpirationInDays: lifecycle.expirationDays,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    },
  };
  const everything = [refs.bucketArn, refs.objectsArn];
  resources[`${logicalId}Policy`] = {
    Type: "AWS::S3::BucketPolicy",
    Properties: {
      Bucket: refs.bucket,
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: everything,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Sid: "Tls12OrLater",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: everything,
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
          },
        ],
      },
    },
  };
  return refs;
}
