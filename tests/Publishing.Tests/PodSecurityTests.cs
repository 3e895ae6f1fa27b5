using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class PodSecurityTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Every_container_runs_as_non_root_with_a_read_only_root_and_no_privileges()
    {
        var output = PublishedOutput.Publish(_scratch);
        var pods = new (string Name, V1PodSpec Spec)[]
        {
            ("postgres-primary", output.Postgres.Spec.Template.Spec),
            ("job", output.Job.Spec.Template.Spec),
            ("api-service", output.ApiDeployment.Spec.Template.Spec),
            ("reservation-processor", output.Deployment("reservation-processor").Spec.Template.Spec),
        };

        foreach (var (name, pod) in pods)
        {
            Assert.True(pod.SecurityContext.RunAsNonRoot, name);
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers))
            {
                var security = container.SecurityContext;
                var what = $"{name}/{container.Name}";
                Assert.True(security.RunAsNonRoot, what);
                Assert.True(security.RunAsUser > 0, what);
                Assert.True(security.ReadOnlyRootFilesystem, what);
                Assert.False(security.AllowPrivilegeEscalation, what);
                Assert.Equal(["ALL"], security.Capabilities.Drop);
                Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
                Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
                Assert.Equal("IfNotPresent", container.ImagePullPolicy);
            }
        }

        Assert.Equal(PodSecurity.PostgresUser, output.Postgres.Spec.Template.Spec.Containers[0].SecurityContext.RunAsUser);
        Assert.Equal(1654, output.ApiDeployment.Spec.Template.Spec.Containers[0].SecurityContext.RunAsUser);
    }

    [Fact]
    public void Runbook_names_work_deployments_default_to_the_service_container()
    {
        var output = PublishedOutput.Publish(_scratch);

        foreach (var name in new[] { "api-service", "reservation-processor" })
        {
            var template = output.Deployment(name).Spec.Template;
            Assert.Equal(name, template.Metadata.Annotations[DeploymentManifests.DefaultContainerAnnotation]);
            Assert.Equal(name, template.Spec.Containers.Single().Name);
        }

        Assert.Equal("gpu-controlplane", output.Postgres.Metadata.NamespaceProperty);
        Assert.Equal("postgres", output.Postgres.Spec.Template.Spec.Containers.Single().Name);
    }

    [Fact]
    public void Secret_files_are_readable_by_their_owner_only_and_the_others_by_everyone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = _scratch.Combine("k8s");
        Directory.CreateDirectory(directory);
        var secretFile = Path.Combine(directory, "02-secret-postgres-credentials.yaml");
        File.WriteAllText(secretFile, "# an older, world-readable file\n");
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var output = PublishedOutput.PublishInto(directory);

        foreach (var (name, o) in output.Objects)
        {
            var mode = File.GetUnixFileMode(Path.Combine(directory, name));
            Assert.Equal(
                o is V1Secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                mode & ~UnixFileMode.None);
        }

        Assert.Empty(Directory.GetFiles(directory, ".*"));
    }

    public void Dispose() => _scratch.Dispose();
}
