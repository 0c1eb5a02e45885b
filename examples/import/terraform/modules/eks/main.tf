# A cut-down terraform-aws-modules/eks/aws: aws_eks_cluster.this[0], aws_eks_addon.this["vpc-cni"], and one
# module.eks_managed_node_group["<name>"] per entry of eks_managed_node_groups, as the upstream module does.

variable "cluster_name" { type = string }
variable "cluster_version" { type = string }
variable "vpc_id" { type = string }
variable "subnet_ids" { type = list(string) }
variable "control_plane_subnet_ids" {
  type    = list(string)
  default = []
}
variable "cluster_addons" {
  type    = any
  default = {}
}
variable "eks_managed_node_groups" {
  type    = any
  default = {}
}

resource "aws_iam_role" "cluster" {
  name = "${var.cluster_name}-cluster"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "eks.amazonaws.com" } }]
  })
}

resource "aws_security_group" "cluster" {
  name   = "${var.cluster_name}-cluster"
  vpc_id = var.vpc_id
}

resource "aws_eks_cluster" "this" {
  count = 1

  name     = var.cluster_name
  version  = var.cluster_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids         = coalescelist(var.control_plane_subnet_ids, var.subnet_ids)
    security_group_ids = [aws_security_group.cluster.id]
  }

  kubernetes_network_config {
    ip_family = "ipv4"
  }
}

resource "aws_eks_addon" "this" {
  for_each = var.cluster_addons

  cluster_name         = aws_eks_cluster.this[0].name
  addon_name           = each.key
  addon_version        = try(each.value.addon_version, null)
  configuration_values = try(each.value.configuration_values, null)
}

module "eks_managed_node_group" {
  source   = "../eks-managed-node-group"
  for_each = var.eks_managed_node_groups

  name            = each.key
  cluster_name    = aws_eks_cluster.this[0].name
  cluster_version = var.cluster_version
  subnet_ids      = try(each.value.subnet_ids, var.subnet_ids)
  instance_types  = try(each.value.instance_types, null)
  capacity_type   = try(each.value.capacity_type, "ON_DEMAND")
  min_size        = try(each.value.min_size, 1)
  max_size        = try(each.value.max_size, 3)
  desired_size    = try(each.value.desired_size, 1)
}

output "cluster_name" {
  value = aws_eks_cluster.this[0].name
}
