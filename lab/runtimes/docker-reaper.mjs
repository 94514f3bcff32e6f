// Removes the containers named on the command line. A lab that is exiting spawns this detached,
// because an exit handler cannot wait for the Docker API.
import Docker from 'dockerode';

const docker = new Docker();
await Promise.allSettled(process.argv.slice(2).map((id) => docker.getContainer(id).remove({ force: true })));
