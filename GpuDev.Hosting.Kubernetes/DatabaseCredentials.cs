using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Production's <c>postgres-credentials</c> Secret: the superuser, read only by PostgreSQL's own pod and the
/// migration Job's bootstrap (the services connect as their roles, <see cref="DatabaseRoleManifests"/>).
/// </summary>
public static class DatabaseCredentials
{
    public const string SecretName = "postgres-credentials";
    public const string UserKey = "POSTGRES_USER";
    public const string PasswordKey = "POSTGRES_PASSWORD";
    public const string DatabaseKey = "POSTGRES_DB";

    public static V1Secret Secret(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return OpaqueSecret.Create(
            context,
            SecretName,
            KubernetesLabels.For(context.Model.PostgresServiceName, context.Instance, "database"),
            new Dictionary<string, string>
            {
                [DatabaseKey] = context.Model.DatabaseName,
                [PasswordKey] = context.PostgresPassword,
                [UserKey] = context.Model.DatabaseName,
            });
    }

    /// <summary>POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB from the Secret, for PostgreSQL's own container.</summary>
    public static List<V1EnvVar> Environment() => [FromSecret(UserKey), FromSecret(PasswordKey), FromSecret(DatabaseKey)];

    /// <summary>
    /// A shell loop on <c>pg_isready</c> against the primary Service, for init containers: production's way
    /// of waiting until PostgreSQL accepts connections, with a deadline (<c>Kubernetes:PostgresWaitTimeoutSeconds</c>)
    /// after which it fails with a message naming where to look, so a database that never starts is visible.
    /// </summary>
    public static V1Container WaitForPostgresContainer(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var seconds = context.Options.PostgresWaitTimeoutSeconds;
        var target = $"{model.PostgresServiceName}:{model.PostgresPort}";
        return new V1Container
        {
            Name = "wait-for-postgres",
            Image = model.PostgresImage,
            ImagePullPolicy = "IfNotPresent",
            Command =
            [
                "sh",
                "-c",
                $"deadline=$(( $(date +%s) + {seconds} ))\n" +
                $"until pg_isready -q -h {model.PostgresServiceName} -p {model.PostgresPort} -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"; do\n" +
                "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then\n" +
                $"    echo \"{target} did not accept connections within {seconds} s: read 'kubectl -n {context.Namespace} logs {model.PostgresServiceName}-0' " +
                $"(an empty POSTGRES_PASSWORD in Secret {SecretName}, or a full volume, are the usual causes)\" >&2\n" +
                "    exit 1\n" +
                "  fi\n" +
                $"  echo \"waiting for {target}\"\n" +
                "  sleep 2\n" +
                "done\n",
            ],
            // pg_isready needs no password: this container never sees the superuser's.
            Env = [FromSecret(UserKey), FromSecret(DatabaseKey)],
            Resources = ContainerResources.Migration(),
            SecurityContext = PodSecurity.Container(PodSecurity.PostgresUser),
            VolumeMounts = [PodSecurity.TempMount()],
        };
    }

    /// <summary>
    /// Rejects passwords that would break the Npgsql connection string assembled above. Letters,
    /// digits and most punctuation are fine, e.g. the output of <c>openssl rand -hex 24</c>.
    /// </summary>
    public static string ValidatePassword(string? password)
    {
        if (password is null)
        {
            return string.Empty;
        }

        if (password.IndexOfAny([';', '\'', '"']) >= 0 || password.Trim().Length != password.Length)
        {
            throw new ArgumentException(
                "Kubernetes:PostgresPassword must not contain ';', quotes or leading/trailing spaces, because the services " +
                "receive it inside a connection string. Use e.g. the output of `openssl rand -hex 24`.");
        }

        return password;
    }

    private static V1EnvVar FromSecret(string key) => OpaqueSecret.EnvironmentVariable(key, SecretName, key);
}
