using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansNotifications.Server.Auth;

/// <summary>The operator's bearer key: configured, or generated once into the data directory and read from there afterwards.</summary>
public sealed partial class AdminKey
{
    public const string FileName = "admin-key";

    private readonly byte[] _hash;

    private AdminKey(string value) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public static AdminKey Load(NotificationsOptions options, ILogger<AdminKey> logger)
    {
        if (!string.IsNullOrWhiteSpace(options.AdminKey))
        {
            return new AdminKey(options.AdminKey);
        }

        var path = Path.GetFullPath(Path.Combine(options.DataDirectory, FileName));
        if (File.Exists(path))
        {
            LogKeyFile(logger, path);
            return new AdminKey(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var generated = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, generated + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        LogKeyGenerated(logger, path);
        return new AdminKey(generated);
    }

    /// <summary>Constant-time comparison, on hashes so the key's length does not leak either.</summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated an admin key into {Path}; use it as the bearer token for the operator routes (/v1/admin/*)")]
    private static partial void LogKeyGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin key read from {Path}")]
    private static partial void LogKeyFile(ILogger logger, string path);
}
