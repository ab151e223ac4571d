import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB wire-protocol server for tests (mongo-java-server, in memory), run by test/engines/up.sh as
 * `java -cp <jars> MongoWireServer.java HOST PORT`. It answers as MongoDB 5.0 because the Node driver
 * refuses servers older than 4.2. Data lives only as long as the process.
 */
public class MongoWireServer {
  public static void main(String[] args) throws InterruptedException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    MongoServer server = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
    server.bind(host, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("mongo-java-server listening on " + host + ":" + port);
    Thread.currentThread().join();
  }
}
