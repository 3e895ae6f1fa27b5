using GpuDev.Database;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The database roles in Kubernetes (see <see cref="DatabaseRoles"/>): the <c>postgres-roles</c> Secret with their
/// passwords, the bootstrap ConfigMap, the migration Job's <c>bootstrap</c> init container that runs it as the
/// superuser of <c>postgres-credentials</c> (the only container given that password), and each pod's connection
/// string as its role.
/// </summary>
/// <remarks>
/// The bootstrap runs in the migration Job, before the worker, on every migration (it is idempotent), rather than
/// once from <c>/docker-entrypoint-initdb.d</c>: a volume initialised by an earlier version (or by production's
/// chart) gets the roles too, and nothing can reach the worker's step before the roles and queues exist.
/// </remarks>
public static class DatabaseRoleManifests
{
    public const string SecretName = "postgres-roles";
    public const string OwnerPasswordKey = "GPUDEV_OWNER_PASSWORD";
    public const string RuntimePasswordKey = "GPUDEV_RUNTIME_PASSWORD";
    public const string BootstrapConfigMapName = "postgres-bootstrap";
    public const string BootstrapFileName = "bootstrap.sql";
    public const string BootstrapContainerName = "bootstrap";
    private const string BootstrapVolumeName = "bootstrap";
    private const string BootstrapMountPath = "/bootstrap";
    private const string Component = "database";
    private static readonly string BootstrapText = DatabaseBootstrap.CreateExtension + DatabaseBootstrap.Script + "\n";

    public static V1Secret Secret(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var owner = ValidatePassword(context.Options.PostgresOwnerPassword, "Kubernetes:PostgresOwnerPassword");
        var runtime = ValidatePassword(context.Options.PostgresRuntimePassword, "Kubernetes:PostgresRuntimePassword");
        return OpaqueSecret.Create(
            context,
            SecretName,
            Labels(context),
            new Dictionary<string, string> { [OwnerPasswordKey] = owner, [RuntimePasswordKey] = runtime });
    }

    /// <summary>The bootstrap, as the local AppHost runs it, preceded by production's <c>CREATE EXTENSION pgmq</c>. No secret in it.</summary>
    public static V1ConfigMap BootstrapConfigMap(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new V1ConfigMap
        {
            ApiVersion = V1ConfigMap.KubeApiVersion,
            Kind = V1ConfigMap.KubeKind,
            Metadata = context.Metadata(BootstrapConfigMapName, Labels(context)),
            Data = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [BootstrapFileName] = BootstrapText,
            },
        };
    }

    /// <summary>SHA-256 of the bootstrap script and both roles' passwords, for the migration Job's template.</summary>
    public static string Checksum(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = string.Join('\n', BootstrapText, context.Options.PostgresOwnerPassword, context.Options.PostgresRuntimePassword);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    public static V1Volume BootstrapVolume() =>
        new() { Name = BootstrapVolumeName, ConfigMap = new V1ConfigMapVolumeSource { Name = BootstrapConfigMapName } };

    /// <summary>
    /// psql as the superuser, in one transaction, stopping at the first error. The roles' passwords reach the
    /// script as session settings in <c>PGOPTIONS</c> (a connection option, never a statement the server could log).
    /// </summary>
    public static V1Container BootstrapContainer(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        return new V1Container
        {
            Name = BootstrapContainerName,
            Image = model.PostgresImage,
            ImagePullPolicy = "IfNotPresent",
            Command =
            [
                "psql", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                "-h", model.PostgresServiceName, "-p", model.PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", $"$({DatabaseCredentials.UserKey})", "-d", $"$({DatabaseCredentials.DatabaseKey})",
                "-f", $"{BootstrapMountPath}/{BootstrapFileName}",
            ],
            Env =
            [
                OpaqueSecret.EnvironmentVariable(DatabaseCredentials.UserKey, DatabaseCredentials.SecretName, DatabaseCredentials.UserKey),
                OpaqueSecret.EnvironmentVariable(DatabaseCredentials.DatabaseKey, DatabaseCredentials.SecretName, DatabaseCredentials.DatabaseKey),
                OpaqueSecret.EnvironmentVariable("PGPASSWORD", DatabaseCredentials.SecretName, DatabaseCredentials.PasswordKey),
                OpaqueSecret.EnvironmentVariable(OwnerPasswordKey, SecretName, OwnerPasswordKey),
                OpaqueSecret.EnvironmentVariable(RuntimePasswordKey, SecretName, RuntimePasswordKey),
                new V1EnvVar
                {
                    Name = "PGOPTIONS",
                    Value = $"-c {DatabaseRoles.OwnerPasswordSetting}=$({OwnerPasswordKey}) -c {DatabaseRoles.RuntimePasswordSetting}=$({RuntimePasswordKey})",
                },
            ],
            VolumeMounts = [new V1VolumeMount { Name = BootstrapVolumeName, MountPath = BootstrapMountPath, ReadOnlyProperty = true }, PodSecurity.TempMount()],
            Resources = ContainerResources.Migration(),
            SecurityContext = PodSecurity.Container(PodSecurity.PostgresUser),
        };
    }

    /// <summary>
    /// The role's password from <c>postgres-roles</c> and the connection string as that role, assembled by
    /// Kubernetes' <c>$(VAR)</c> expansion: <see cref="DatabaseRoles.Owner"/> for the migration worker,
    /// <see cref="DatabaseRoles.Runtime"/> for the services and their wait-for-migration init containers.
    /// No container but the bootstrap gets the superuser's password.
    /// </summary>
    public static List<V1EnvVar> EnvironmentWithConnectionString(GpuDevDeploymentModel model, string role)
    {
        ArgumentNullException.ThrowIfNull(model);
        var passwordKey = role switch
        {
            DatabaseRoles.Owner => OwnerPasswordKey,
            DatabaseRoles.Runtime => RuntimePasswordKey,
            _ => throw new ArgumentException($"'{role}' is not one of the database roles.", nameof(role)),
        };
        return
        [
            OpaqueSecret.EnvironmentVariable(passwordKey, SecretName, passwordKey),
            new V1EnvVar
            {
                Name = $"ConnectionStrings__{model.ConnectionName}",
                Value = $"Host={model.PostgresServiceName};Port={model.PostgresPort};Username={role};Password=$({passwordKey});Database={model.DatabaseName}",
            },
        ];
    }

    /// <summary>
    /// As <see cref="DatabaseCredentials.ValidatePassword"/> (the password goes into a connection string), and no
    /// backslash, since the bootstrap receives it in <c>PGOPTIONS</c>.
    /// </summary>
    public static string ValidatePassword(string? password, string optionName)
    {
        if (string.IsNullOrEmpty(password))
        {
            return string.Empty;
        }

        if (password.IndexOfAny([';', '\'', '"', '\\']) >= 0 || password.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException(
                $"{optionName} must not contain ';', quotes, backslashes or spaces: the services receive it inside a connection string, " +
                "the bootstrap as a connection option. Use e.g. the output of `openssl rand -hex 24`.");
        }

        return password;
    }

    private static SortedDictionary<string, string> Labels(ManifestContext context) =>
        KubernetesLabels.For(context.Model.PostgresResourceName, context.Instance, Component);
}
