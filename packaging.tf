# The deployment package is built without the hashicorp/archive provider: a deterministic
# zipper (packaging/build_package.py) runs at apply time, while the code hash the function
# is compared against is computed at plan time from the source files themselves, so a
# plan on any machine sees the same hash and only a real source change updates the code.
#
# Fresh checkouts (CI runners): builds/ is never committed, so the zip exists only where an
# apply built it. With package_bucket.enabled (the default) only aws_s3_object.package
# reads it (package_bucket.tf), on creating the object, whose key holds the hash: a new
# hash, key prefix or bucket is a new object, and each of them is a trigger below, so the
# build runs first in the same apply. The functions are created and updated from the
# object (s3_bucket/s3_key), so a function Terraform replaces, recreates after a delete
# outside Terraform, or moves to another architecture never reads a local file.
# Without the bucket, the aws provider reads the zip when it creates a function or updates
# one whose filename, source_code_hash or architectures change (needsFunctionCodeUpdate in
# its internal/service/lambda/function.go); the architecture and the set of functions are
# triggers then too, but a function recreated for a reason only Terraform knows (-replace,
# deleted outside Terraform) needs -replace of this build step (docs/operations.md).
# The triggers hold no timestamp and no file-exists test: after an apply elsewhere, a fresh
# checkout plans no change at all.
#
# Line endings: text files are hashed and zipped with CRLF turned into LF, so a Windows
# (core.autocrlf) checkout and a Linux one compute the same hash and ship the same bytes;
# .gitattributes keeps the repository's own files LF on every checkout as well.

locals {
  build_package = local.create && var.lambda_package_path == null

  lambda_source_dir = "${path.module}/lambda_src"
  packager_path     = "${path.module}/packaging/build_package.py"
  task_package_name = var.task_source_dir == null ? null : coalesce(var.task_package_name, basename(abspath(var.task_source_dir)))

  # Same selection as the packager: no hidden files or directories, no __pycache__ or
  # tests directories, no compiled bytecode.
  excluded_path = "(^|/)(\\.[^/]*|__pycache__|tests)(/|$)|\\.py[co]$"
  # Text files, hashed with CRLF read as LF; the packager's TEXT_SUFFIXES, the same list.
  text_file = "\\.(py|pyi|typed|txt|json|cfg|ini|toml|yaml|yml|csv|md)$"
  # And, for the module's own source only, the packager's exclusion list (operator tools
  # and the testing kit, which no handler imports, and the pip package's own files; an
  # entry ending in '/' is a folder): the same file, so the hash covers what the zip holds.
  source_exclusions = [
    for line in split("\n", file("${path.module}/packaging/source_exclusions.txt")) : trimspace(line)
    if trimspace(line) != "" && !startswith(trimspace(line), "#")
  ]
  source_files = local.build_package ? [
    for file in sort(fileset(local.lambda_source_dir, "**")) : file
    if length(regexall(local.excluded_path, file)) == 0 && alltrue([for excluded in local.source_exclusions : endswith(excluded, "/") ? !startswith(file, excluded) : file != excluded])
  ] : []
  task_files = local.build_package && var.task_source_dir != null ? [
    for file in sort(fileset(var.task_source_dir, "**")) : file if length(regexall(local.excluded_path, file)) == 0
  ] : []

  # The task's libraries (task_requirements_file) are installed for the functions' runtime
  # and architecture, so those count too; the packager refuses a file that does not pin
  # every package it installs, so the file's content decides the installed set.
  requirements = local.build_package && var.task_requirements_file != null ? [
    "requirements ${sha256(replace(file(var.task_requirements_file), "\r\n", "\n"))} ${var.lambda_runtime} ${var.lambda_architecture}",
  ] : []

  # sha256 of a text file's content with CRLF as LF equals filesha256 of an LF file.
  source_hash = local.build_package ? base64sha256(join("\n", concat(
    ["packager ${sha256(replace(file(local.packager_path), "\r\n", "\n"))}"],
    ["exclusions ${sha256(replace(file("${path.module}/packaging/source_exclusions.txt"), "\r\n", "\n"))}"],
    [for file in local.source_files : "source ${file} ${length(regexall(local.text_file, file)) > 0 ? sha256(replace(file("${local.lambda_source_dir}/${file}"), "\r\n", "\n")) : filesha256("${local.lambda_source_dir}/${file}")}"],
    [for file in local.task_files : "task ${local.task_package_name}/${file} ${length(regexall(local.text_file, file)) > 0 ? sha256(replace(file("${var.task_source_dir}/${file}"), "\r\n", "\n")) : filesha256("${var.task_source_dir}/${file}")}"],
    local.requirements,
  ))) : null

  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/builds")
  # The hash is part of the file name: a new package never overwrites the one a
  # function in another workspace still points at.
  built_package_path = local.build_package ? "${local.artifacts_dir}/${var.name}-${local.package_digest}.zip" : null

  package_path = var.lambda_package_path != null ? var.lambda_package_path : local.built_package_path
  package_hash = var.lambda_package_path != null ? filebase64sha256(var.lambda_package_path) : local.source_hash
  # Short name of the package's content: the built zip's file name and the staged object's key.
  package_digest = local.package_hash == null ? null : substr(sha256(local.package_hash), 0, 16)

  # Staged in S3 (package_bucket.tf): one object per package hash.
  stage_package        = local.create && var.package_bucket.enabled
  create_package_store = local.stage_package && var.package_bucket.create
  package_object_key   = local.stage_package ? "${var.package_bucket.key_prefix}${var.name}/${local.package_digest}.zip" : null
  # Where the upload goes, known at plan time (a created bucket's generated name is not,
  # and this step must run before the bucket exists: see python_executable).
  package_upload = local.stage_package ? "${local.create_package_store ? "created" : "existing"}:${coalesce(var.package_bucket.bucket_name, "-")}/${local.package_object_key}" : null
}

resource "terraform_data" "package" {
  count = local.build_package ? 1 : 0

  # Everything that makes the aws provider read the zip (see the top of this file).
  triggers_replace = merge(
    {
      source_hash = local.source_hash
      output      = local.built_package_path
    },
    local.stage_package ? tomap({
      upload = local.package_upload
      }) : tomap({
      architecture = var.lambda_architecture
      functions    = join(",", sort(keys(local.functions)))
    }),
  )

  lifecycle {
    # A path is checked at plan time; a bare command name can only be looked up on PATH
    # when the provisioner below runs it.
    precondition {
      condition     = length(regexall("[/\\\\]", var.python_executable)) == 0 || fileexists(var.python_executable)
      error_message = "The python_executable (${var.python_executable}) is a path to no file: give a Python 3.8+ interpreter (a path, or a command name on PATH), or set lambda_package_path to a prebuilt package."
    }
  }

  # First the interpreter. When it cannot be run, Terraform's error quotes this command,
  # which names the input to fix; every other resource of the module waits for this one
  # (depends_on), so nothing has been created yet on a first apply.
  provisioner "local-exec" {
    interpreter = [var.python_executable, "-c"]
    command     = "# python_executable must name a Python 3.8+ interpreter (a command on PATH or a path), or set lambda_package_path\nimport sys\nsys.exit(0 if sys.version_info >= (3, 8) else 'python_executable runs Python ' + sys.version.split()[0] + ': 3.8 or later is needed')"
  }

  provisioner "local-exec" {
    # The output path is the last argument, so every path reaches the packager unquoted
    # by any shell.
    interpreter = concat(
      [var.python_executable, local.packager_path, "--source", local.lambda_source_dir],
      var.task_source_dir == null ? [] : ["--task-dir", var.task_source_dir, "--task-package-name", local.task_package_name],
      var.task_requirements_file == null ? [] : ["--requirements", var.task_requirements_file, "--runtime", var.lambda_runtime, "--architecture", var.lambda_architecture],
    )
    command = local.built_package_path
  }
}
