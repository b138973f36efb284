using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server from the installed binaries: initdb in a temp directory, pg_ctl start on a free loopback
/// port, stop and delete on dispose. One per test run, as the fixture of the <see cref="PostgreSqlCollection"/> (xunit
/// disposes it when the collection is done; a process-exit handler would be killed by the test host before it finishes).
/// Tests take fresh databases from it with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";
    private readonly TempDirectory _root = new();
    private int _databases;

    public PostgresServer()
    {
        Port = FreePort();
        Start(_root.Path, Port);
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_root.Path, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=15";

    /// <summary>A new, empty database; its name is unique in this run.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static void Start(string root, int port)
    {
        var data = Path.Combine(root, "data");
        if (RunsAsRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres account, which must own the directory.
            Run("chown", "-R", "postgres:postgres", root);
        }

        Pg("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        // The socket goes into our own directory (the system one may not exist or be writable); fsync stays on, as in production.
        Pg("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", Path.Combine(root, "server.log"),
            "-o", $"-k {root} -c listen_addresses=127.0.0.1 -p {port} -c fsync=on -c max_connections=200");
    }

    public void Dispose()
    {
        try
        {
            Pg("pg_ctl", "stop", "-w", "-m", "immediate", "-D", DataDirectory);
        }
        catch (InvalidOperationException)
        {
            // Already gone; the directory is removed either way.
        }

        _root.Dispose();
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static void Pg(string tool, params string[] arguments)
    {
        var path = Path.Combine(Binaries, tool);
        if (RunsAsRoot)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        }
        else
        {
            Run(path, arguments);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
