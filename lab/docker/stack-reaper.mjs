// Removes a stack's containers, then its network (and a compose project's images), by the stack's label. A lab
// that is exiting spawns this detached, because an exit handler cannot wait for the Docker API.
import Docker from 'dockerode';

const docker = new Docker();
const [id] = process.argv.slice(2);
const label = [`haproxy-lab.stack=${id}`];
const containers = await docker.listContainers({ all: true, filters: { label } }).catch(() => []);
await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
const networks = await docker.listNetworks({ filters: { label } }).catch(() => []);
await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
const images = await docker.listImages({ filters: { label: [`haproxy-lab.compose-stack=${id}`] } }).catch(() => []);
await Promise.allSettled(images.map((i) => docker.getImage(i.Id).remove({ force: true })));
