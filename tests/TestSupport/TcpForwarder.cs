using System.Net;
using System.Net.Sockets;

namespace GpuDev.Tests.Support;

/// <summary>
/// A port that refuses connections until <see cref="Start"/>, then forwards them to the real server:
/// a database that "comes up" at a moment the test chooses, without restarting the shared server.
/// </summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;

    public TcpForwarder(int targetPort)
    {
        _targetPort = targetPort;
        Port = FreePort();
    }

    /// <summary>The port clients use; nothing listens on it before <see cref="Start"/>.</summary>
    public int Port { get; }

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptLoopAsync(_listener, _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client, cancellationToken);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, cancellationToken);
                var clientStream = client.GetStream();
                var serverStream = server.GetStream();
                await Task.WhenAny(clientStream.CopyToAsync(serverStream, cancellationToken), serverStream.CopyToAsync(clientStream, cancellationToken));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // One side closed: the forwarded connection is over.
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
