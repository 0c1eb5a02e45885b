# The HCL behind plan.json: a root module calling local modules shaped like terraform-aws-modules' `vpc` and `eks`
# (module.vpc.aws_subnet.private[0], module.eks.module.eks_managed_node_group["general"].aws_eks_node_group.this[0]).
# plan.json was produced offline with Terraform 1.11.4 and hashicorp/aws 5.100.0 (see plan.json's header file,
# README.md beside this file):
#
#   terraform init && terraform plan -out=tfplan && terraform show -json tfplan | jq . > plan.json
#
# The provider needs no AWS account: fake keys, and every call that would reach AWS skipped. Nothing here is
# applied.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIAFAKEFAKEFAKEFAKE"
  secret_key                  = "fake-secret-key-for-an-offline-plan"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

locals {
  name = "demo"
  azs  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

module "vpc" {
  source = "./modules/vpc"

  name            = local.name
  cidr            = "10.0.0.0/16"
  azs             = local.azs
  private_subnets = ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21"]
  public_subnets  = ["10.0.24.0/24", "10.0.25.0/24", "10.0.26.0/24"]

  # what Karpenter's EC2NodeClass selects (examples/import/karpenter/nodepools.yaml)
  private_subnet_tags = {
    "karpenter.sh/discovery" = local.name
  }
}

# Prefix delegation needs whole /28 blocks: keep a /24 of the first private subnet for prefixes only.
resource "aws_ec2_subnet_cidr_reservation" "prefixes_a" {
  subnet_id        = module.vpc.private_subnets[0]
  cidr_block       = "10.0.4.0/24"
  reservation_type = "prefix"
}

module "eks" {
  source = "./modules/eks"

  cluster_name    = local.name
  cluster_version = "1.31"
  vpc_id          = module.vpc.vpc_id
  subnet_ids      = module.vpc.private_subnets

  cluster_addons = {
    vpc-cni = {
      addon_version = "v1.19.2-eksbuild.1"
      configuration_values = jsonencode({
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
        }
      })
    }
    kube-proxy = {}
    coredns    = {}
  }

  eks_managed_node_groups = {
    general = {
      instance_types = ["m6i.large"]
      min_size       = 3
      max_size       = 12
      desired_size   = 3
    }
    batch = {
      instance_types = ["c6i.xlarge", "m6i.xlarge"]
      capacity_type  = "SPOT"
      min_size       = 0
      max_size       = 9
      desired_size   = 0
    }
  }
}
